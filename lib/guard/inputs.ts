/**
 * Reads one side of a guard comparison: cloud assembly directories and template files through `readInputs`, plus
 * the output of `aws cloudformation get-template` (`{"TemplateBody": ...}`, where the body is a template object or
 * a JSON/YAML string), which is what a deployed stack looks like when no stored cdk.out exists.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTemplateText, readInputs, type InputError, type LoadedTemplate, type ReadResult } from '../assembly/read';
import { parseCfnYaml } from '../assembly/yaml-cfn';

/** Like `readInputs`, and also accepts `aws cloudformation get-template` output files. Never throws. */
export function readGuardInputs(inputs: readonly string[]): ReadResult {
  const templates: LoadedTemplate[] = [];
  const errors: InputError[] = [];
  const rest: string[] = [];
  for (const input of inputs) {
    const text = readIfFile(input);
    const unwrapped = text === undefined ? undefined : readGetTemplateOutput(input, text);
    if (unwrapped === undefined) rest.push(input);
    else if ('message' in unwrapped) errors.push(unwrapped);
    else templates.push(unwrapped);
  }
  const read = readInputs(rest);
  return { templates: [...templates, ...read.templates], errors: [...errors, ...read.errors] };
}

/**
 * Parses `aws cloudformation get-template` output. Returns undefined when the text is not such output (then it is
 * read as a plain template). The stack name is the file name without extension, as for template files.
 */
export function readGetTemplateOutput(file: string, text: string): LoadedTemplate | InputError | undefined {
  if (!/(^|[{,\s])"?TemplateBody"?\s*:/m.test(text)) return undefined;
  let outer: unknown;
  try {
    outer = text.trimStart().startsWith('{') ? JSON.parse(text) : parseCfnYaml(text);
  } catch {
    return undefined; // not parseable as a wrapper: let the template reader report it
  }
  if (outer === null || typeof outer !== 'object' || Array.isArray(outer)) return undefined;
  const record = outer as Record<string, unknown>;
  if (!('TemplateBody' in record) || 'Resources' in record) return undefined;
  const body = record.TemplateBody;
  const bodyName = `${file}#TemplateBody`; // no extension: the parser picks JSON or YAML from the content
  let parsed: ReturnType<typeof parseTemplateText>;
  if (typeof body === 'string') parsed = parseTemplateText(body, bodyName);
  else if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    parsed = parseTemplateText(JSON.stringify(body), bodyName);
  } else {
    return { file, message: 'TemplateBody is neither a template object nor a template string' };
  }
  if ('message' in parsed) return { file, message: `TemplateBody: ${parsed.message}` };
  const bytes = Buffer.from(text, 'utf8');
  return {
    file,
    stackName: path.basename(file).replace(/(\.template)?\.(json|ya?ml|template)$/i, ''),
    template: parsed.template,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
  };
}

function readIfFile(input: string): string | undefined {
  try {
    return fs.statSync(input).isFile() ? fs.readFileSync(input, 'utf8') : undefined;
  } catch {
    return undefined; // readInputs reports it
  }
}
