/** Stream names of DESIGN.md: one stream per aggregate, `<category>-<id>`. */
export const streams = {
  policy: (policyId: string) => `policy-${policyId}`,
  comment: (commentId: string) => `comment-${commentId}`,
  digest: (policyId: string, round: number) => `digest-${policyId}-${round}`,
  analysis: (policyId: string, round: number) => `analysis-${policyId}-${round}`,
  organization: (organizationId: string) => `org-${organizationId}`,
  account: (accountId: string) => `account-${accountId}`,
  report: (organizationId: string, period: string) => `report-${organizationId}-${period}`,
} as const;

export function streamCategory(stream: string): string {
  const i = stream.indexOf('-');
  return i < 0 ? stream : stream.slice(0, i);
}
