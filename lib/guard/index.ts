/**
 * The replacement guard: blocks a deploy that would replace or remove a stateful resource.
 */
export * from './compare';
export * from './inputs';
export * from './render';
export * from './stateful';
