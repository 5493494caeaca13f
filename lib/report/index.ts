/**
 * Report renderers: machine formats (formats.ts) and the auditor evidence pack (evidence.ts, html.ts, markdown.ts).
 */
export { readAssemblyEvidence, type AssemblyEvidence } from './assembly';
export { buildBoundary, type BoundaryGraph } from './boundary';
export { mapRegimes, nagEvidence, type NagEvidence, type RegimeEvidence } from './compliance';
export { discloseSharedPlane, type SharedItem } from './disclosure';
export {
  buildEvidence,
  EVIDENCE_SCHEMA,
  type BuildEvidenceOptions,
  type EvidencePack,
  type TenantEvidence,
} from './evidence';
export { renderHtml } from './html';
export { renderMarkdown } from './markdown';
export { renderBoundarySvg } from './svg';
