import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { buildApp } from '../../lib/app';
import { StackScopedNagPack, packsFor } from '../../lib/compliance/nag';
import { EXAMPLE_TENANTS, TENANTS_DIR, TODAY, synthFleet, testApp, type SynthesizedFleet } from '../support/fleet';

describe('packsFor', () => {
  test.each([
    [[], ['AwsSolutions']],
    [['hipaa'], ['AwsSolutions', 'HIPAA.Security']],
    [['pci-dss'], ['AwsSolutions', 'PCI.DSS.321']],
    [['sox'], ['AwsSolutions', 'NIST.800.53.R5']],
    [['fedramp-moderate'], ['AwsSolutions', 'NIST.800.53.R5']],
    [['itar', 'fedramp-high'], ['AwsSolutions', 'NIST.800.53.R5']],
    [['sox', 'pci-dss', 'fedramp-moderate'], ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5']],
  ] as const)('%j -> %j', (regimes, packs) => {
    expect(packsFor(regimes)).toEqual(packs);
  });
});

describe('the nag gate over the example fleet', () => {
  let fleet: SynthesizedFleet;
  beforeAll(() => {
    // synthFleet runs app.synth(), which throws on any unacknowledged finding of any registered pack.
    fleet = synthFleet();
  });

  test('registers each tenant only its own regimes\' packs, scoped to its own stack', () => {
    expect(fleet.built.packs).toEqual({
      'ExclusiveDesk-acme-health': ['AwsSolutions', 'HIPAA.Security'],
      'ExclusiveDesk-contoso-markets': ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5'],
      'ExclusiveDesk-fedline-gov': ['AwsSolutions', 'NIST.800.53.R5'],
      'ExclusiveDesk-northwind-bank': ['AwsSolutions', 'PCI.DSS.321', 'NIST.800.53.R5'],
    });
  });

  test.each(EXAMPLE_TENANTS)('%s has zero unacknowledged findings in every pack', (id) => {
    const stack = fleet.stacks[id]!;
    const plugins = (fleet.app as unknown as { _validationPlugins: unknown[] })._validationPlugins.filter(
      (p): p is StackScopedNagPack => p instanceof StackScopedNagPack && p.stack === stack,
    );
    expect(plugins.map((p) => p.pack.readPackName)).toEqual(fleet.built.packs[stack.stackName]);
    for (const plugin of plugins) {
      const report = plugin.pack.validateScope(stack);
      expect([plugin.name, report.violations.map((v) => v.ruleName)]).toEqual([plugin.name, []]);
    }
  });

  test('every acknowledgement carries a reason of substance', () => {
    const acks: { path: string; id: string; reason: string }[] = [];
    for (const stack of Object.values(fleet.stacks)) {
      for (const c of stack.node.findAll()) {
        for (const entry of c.node.metadata) {
          if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acks.push({ path: c.node.path, id, reason });
        }
      }
    }
    expect(acks.length).toBeGreaterThan(10);
    for (const a of acks) {
      expect(a.reason.length).toBeGreaterThan(40);
      expect(a.path.split('/').length).toBeGreaterThan(1); // never on the app, never on a whole stack
      expect(a.path).not.toMatch(/^ExclusiveDesk-[a-z-]+$/);
    }
  });
});

describe('the gate reports what it should', () => {
  const openSsh = (id: string) => {
    const app = testApp();
    const built = buildApp(app, { tenantsDir: TENANTS_DIR, tenant: id, today: TODAY });
    const stack = built.stacks[0]!;
    const sg = new ec2.SecurityGroup(stack, 'DeliberatelyBad', { vpc: stack.network.dataVpc, description: 'open ssh' });
    sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    return app;
  };

  test('a deliberately bad construct fails synth, naming the rule and the construct', () => {
    expect(() => openSsh('acme-health').synth()).toThrow(/AwsSolutions-EC23[\s\S]*ExclusiveDesk-acme-health\/DeliberatelyBad/);
  });

  test('a regime pack applies only to its tenants', () => {
    let hipaaTenant = '';
    try {
      openSsh('acme-health').synth();
    } catch (e) {
      hipaaTenant = (e as Error).message;
    }
    expect(hipaaTenant).toContain('HIPAA.Security-EC2RestrictedSSH');
    let pciTenant = '';
    try {
      openSsh('northwind-bank').synth();
    } catch (e) {
      pciTenant = (e as Error).message;
    }
    expect(pciTenant).toContain('PCI.DSS.321-EC2RestrictedSSH');
    expect(pciTenant).toContain('NIST.800.53.R5-EC2RestrictedSSH');
    expect(pciTenant.includes('HIPAA.Security')).toBe(false);
  });
});
