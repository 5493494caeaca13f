import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderRulesDoc } from '../lib/isolation/rules-doc';

const target = path.join(__dirname, '..', 'docs', 'rules.md');
fs.writeFileSync(target, renderRulesDoc());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
