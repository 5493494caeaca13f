/** Logging of the HSM handlers: Lambda ships console output to the function's (KMS-encrypted) log group. */
export function log(message: string): void {
  // eslint-disable-next-line no-console -- the Lambda runtime's log channel
  console.log(message);
}
