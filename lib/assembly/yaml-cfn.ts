/**
 * Parses CloudFormation YAML, including the short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, ...), into the
 * same JSON shape as a JSON template (`{ "Ref": ... }`, `{ "Fn::GetAtt": [...] }`).
 */
import { parseDocument, type CollectionTag, type ScalarTag, type Tags } from 'yaml';

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Contains',
  'EachMemberEquals',
  'ValueOf',
  'ToJsonString',
  'Length',
] as const;

function fnTags(name: string, fn: string): Tags {
  const key = fn;
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (value: string) => ({ [key]: value }),
  };
  const seq: CollectionTag = {
    tag: `!${name}`,
    collection: 'seq',
    resolve: (value) => ({ [key]: (value as { toJSON(): unknown }).toJSON() }),
  };
  const map: CollectionTag = {
    tag: `!${name}`,
    collection: 'map',
    resolve: (value) => ({ [key]: (value as { toJSON(): unknown }).toJSON() }),
  };
  return [scalar, seq, map];
}

const TAGS: Tags = [
  ...FUNCTIONS.flatMap((f) => fnTags(f, `Fn::${f}`)),
  ...fnTags('Ref', 'Ref'),
  ...fnTags('Condition', 'Condition'),
  {
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  } satisfies ScalarTag,
  {
    tag: '!GetAtt',
    collection: 'seq',
    resolve: (value) => ({ 'Fn::GetAtt': (value as { toJSON(): unknown }).toJSON() }),
  } satisfies CollectionTag,
];

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    public readonly line?: number,
  ) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

/** Parses a CloudFormation YAML text; throws YamlSyntaxError with the line of the first problem. */
export function parseCfnYaml(text: string): unknown {
  const doc = parseDocument(text, {
    customTags: TAGS,
    prettyErrors: false,
    uniqueKeys: false,
    // Dates stay strings (AWSTemplateFormatVersion: 2010-09-09).
    schema: 'core',
  });
  const err = doc.errors[0];
  if (err) {
    const line = text.slice(0, err.pos[0]).split('\n').length;
    throw new YamlSyntaxError(`YAML syntax error at line ${line}: ${err.message.split('\n')[0]}`, line);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}
