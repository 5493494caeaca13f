/**
 * Names shared by the gate's handler (which emits them) and its construct (which alarms on them). No imports, so
 * the CDK app can read them without loading the SDK.
 */

/** The marker of the drift check's scheduled event (the EventBridge rule's input `exclusive-desk` key). */
export const DRIFT_CHECK_MARKER = 'drift-check';
/** CloudWatch namespace of the live-verification metrics (dimension `Tenant`). */
export const METRIC_NAMESPACE = 'ExclusiveDesk/LiveVerification';
/** Error findings of a run (could-not-verify included): the drift alarm's metric. */
export const ERROR_FINDINGS_METRIC = 'ErrorFindings';
/** Findings the run could not verify (API errors, AccessDenied, deadline). */
export const UNVERIFIABLE_METRIC = 'UnverifiableFindings';
