/**
 * Short titles of the controls the rule catalogue names, so a pack shows "HIPAA 164.312(a)(2)(iv) Encryption and
 * decryption" rather than a bare id. Titles follow the source texts, shortened where long:
 * - HIPAA: 45 CFR 164.308 and 164.312 (Security Rule standards and implementation specifications), eCFR
 *   https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C
 * - NIST: SP 800-53 Rev. 5 control and enhancement names, https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final
 * - PCI DSS: v4.0.1 requirement statements (paraphrased), https://www.pcisecuritystandards.org/document_library/
 * - ITAR: 22 CFR 120, https://www.ecfr.gov/current/title-22/chapter-I/subchapter-M/part-120
 * - FIPS 140-3: https://csrc.nist.gov/pubs/fips/140-3/final
 * A control without a title here is shown by its id alone (a test keeps every catalogue control titled).
 */
export const CONTROL_TITLES: Readonly<Record<string, string>> = {
  'HIPAA 164.308(a)(4)': 'Information access management',
  'HIPAA 164.308(a)(4)(ii)(A)': 'Isolating health care clearinghouse functions',
  'HIPAA 164.308(a)(7)(ii)(A)': 'Data backup plan',
  'HIPAA 164.312(a)(1)': 'Access control',
  'HIPAA 164.312(a)(2)(iv)': 'Encryption and decryption',
  'HIPAA 164.312(b)': 'Audit controls',
  'HIPAA 164.312(c)(1)': 'Integrity',
  'HIPAA 164.312(e)(1)': 'Transmission security',
  'HIPAA 164.312(e)(2)(ii)': 'Encryption (transmission)',
  'NIST AC-2': 'Account Management',
  'NIST AC-3': 'Access Enforcement',
  'NIST AC-4': 'Information Flow Enforcement',
  'NIST AC-6': 'Least Privilege',
  'NIST AC-17': 'Remote Access',
  'NIST AU-12': 'Audit Record Generation',
  'NIST CM-2': 'Baseline Configuration',
  'NIST CM-3': 'Configuration Change Control',
  'NIST CP-9': 'System Backup',
  'NIST CP-10': 'System Recovery and Reconstitution',
  'NIST SC-2': 'Separation of System and User Functionality',
  'NIST SC-4': 'Information in Shared System Resources',
  'NIST SC-7': 'Boundary Protection',
  'NIST SC-7(5)': 'Boundary Protection | Deny by Default — Allow by Exception',
  'NIST SC-7(21)': 'Boundary Protection | Isolation of System Components',
  'NIST SC-8': 'Transmission Confidentiality and Integrity',
  'NIST SC-12': 'Cryptographic Key Establishment and Management',
  'NIST SC-12(1)': 'Cryptographic Key Establishment and Management | Availability',
  'NIST SC-13': 'Cryptographic Protection',
  'NIST SC-28': 'Protection of Information at Rest',
  'NIST SC-28(1)': 'Protection of Information at Rest | Cryptographic Protection',
  'NIST SC-32': 'System Partitioning',
  'NIST SC-39': 'Process Isolation',
  'NIST SI-7': 'Software, Firmware, and Information Integrity',
  'FedRAMP SC-32': 'System Partitioning (FedRAMP baseline)',
  'FIPS 140-3 Level 3': 'Cryptographic module validated at Security Level 3',
  'PCI DSS 1.2.1': 'Configuration standards for network security control rulesets',
  'PCI DSS 1.3.1': 'Inbound traffic to the CDE is restricted',
  'PCI DSS 1.3.2': 'Outbound traffic from the CDE is restricted',
  'PCI DSS 1.4.1': 'Network security controls between trusted and untrusted networks',
  'PCI DSS 1.4.4': 'Cardholder data storage not directly accessible from untrusted networks',
  'PCI DSS 2.2.1': 'Configuration standards for system components',
  'PCI DSS 3.5.1': 'PAN is rendered unreadable wherever it is stored',
  'PCI DSS 3.6.1': 'Procedures protect the cryptographic keys that protect stored account data',
  'PCI DSS 3.6.1.2': 'Secret and private keys stored in approved forms only',
  'PCI DSS 3.7.4': 'Cryptographic key changes at the end of the cryptoperiod',
  'PCI DSS 4.2.1': 'Strong cryptography protects PAN in transmission over open, public networks',
  'PCI DSS 7.2.1': 'An access control model is defined',
  'PCI DSS 10.2.1': 'Audit logs are enabled and active',
  'PCI DSS 12.10.1': 'An incident response plan exists',
  'PCI DSS A1.1.1': 'Multi-tenant service providers: logical separation between provider and customer environments',
  'PCI DSS A1.1.2': 'Multi-tenant service providers: each customer can access only its own data and CDE',
  'ITAR 120.54': 'Activities that are not exports, reexports, retransfers, or temporary imports',
  'ITAR 120.54(a)(5)': 'Technical data sent or stored with end-to-end encryption',
};

/** The title of a control, or undefined when the table has none. */
export function controlTitle(control: string): string | undefined {
  return CONTROL_TITLES[control];
}
