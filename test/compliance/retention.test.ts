import { logRetentionDays, minimumBackupRetentionDays } from '../../lib/compliance/retention';

describe('retention', () => {
  test('regulated tenants keep 35 days of backups, others 7', () => {
    expect(minimumBackupRetentionDays([])).toBe(7);
    expect(minimumBackupRetentionDays(['hipaa'])).toBe(35);
    expect(minimumBackupRetentionDays(['itar', 'fedramp-high'])).toBe(35);
  });

  test.each([
    [[], 365],
    [['hipaa'], 2192],
    [['sox', 'pci-dss', 'fedramp-moderate'], 2557],
    [['itar', 'fedramp-high'], 1827],
  ] as const)('logs of %j are kept %i days (the longest regime wins)', (regimes, days) => {
    expect(logRetentionDays(regimes)).toBe(days);
  });
});
