/**
 * Live collection for the shared-entry-point checks (ISO-NET-7): the tenant's ELBv2 target groups and the load
 * balancers they are attached to, with tags, so a target group of the tenant attached to a load balancer the tenant
 * does not own (one ALB for every customer) shows.
 *
 * DescribeTargetGroups lists every target group of the account and Region (all pages) with `LoadBalancerArns`;
 * DescribeTags takes at most 20 ARNs per call (Elastic Load Balancing API Reference, DescribeTags: "ResourceArns ...
 * Maximum number of 20 items").
 */
import {
  DescribeTagsCommand,
  paginateDescribeTargetGroups,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Collected, LiveTargetGroup, Tags } from '../isolation/inventory';
import { allPages, attempt, chunks, each, failure, success, type AttemptContext } from './attempt';

const DESCRIBE_TAGS_MAX = 20;

/** Tags of every ARN (20 per call); the first failing call fails the whole answer (fail closed). */
async function tagsOf(ctx: AttemptContext, client: ElasticLoadBalancingV2Client, arns: readonly string[]): Promise<Collected<Map<string, Tags>>> {
  const parts = await each(chunks(arns, DESCRIBE_TAGS_MAX), (batch) =>
    attempt(ctx, 'elasticloadbalancing:DescribeTags', batch.join(','), async (o) => (await client.send(new DescribeTagsCommand({ ResourceArns: batch }), o)).TagDescriptions ?? []),
  );
  const out = new Map<string, Tags>();
  for (const p of parts) {
    if (!p.ok) return failure(p.error);
    for (const d of p.value) {
      const tags: Record<string, string> = {};
      for (const t of d.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
      if (d.ResourceArn) out.set(d.ResourceArn, tags);
    }
  }
  return success(out);
}

/** The target groups tagged `tag.key = tag.value`, each with the load balancers it is attached to and their tags. */
export async function collectTargetGroups(
  ctx: AttemptContext,
  client: ElasticLoadBalancingV2Client,
  tag: { readonly key: string; readonly value: string },
): Promise<Collected<LiveTargetGroup[]>> {
  const groups = await attempt(ctx, 'elasticloadbalancing:DescribeTargetGroups', undefined, async (o) =>
    allPages(paginateDescribeTargetGroups({ client, pageSize: 400 }, {}, o), (p) => p.TargetGroups),
  );
  if (!groups.ok) return groups;
  const arns = groups.value.map((g) => g.TargetGroupArn).filter((a): a is string => !!a);
  if (arns.length === 0) return success([]);
  const groupTags = await tagsOf(ctx, client, arns);
  if (!groupTags.ok) return groupTags;
  const mine = groups.value.filter((g) => g.TargetGroupArn && groupTags.value.get(g.TargetGroupArn)?.[tag.key] === tag.value);
  const lbArns = [...new Set(mine.flatMap((g) => g.LoadBalancerArns ?? []))];
  const lbTags = lbArns.length === 0 ? success(new Map<string, Tags>()) : await tagsOf(ctx, client, lbArns);
  if (!lbTags.ok) return lbTags;
  return success(
    mine.map((g) => ({
      arn: g.TargetGroupArn!,
      name: g.TargetGroupName,
      loadBalancers: (g.LoadBalancerArns ?? []).map((arn) => ({ arn, tags: lbTags.value.get(arn) ?? {} })),
    })),
  );
}
