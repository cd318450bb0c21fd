// What the API and the CLI say when a recommendation asked for does not exist.

export function unknownAdsetMessage(campaignId: string, adsetId: string, adsets: readonly (string | null)[]): string {
  const known = adsets.filter((a): a is string => a !== null);
  return `the latest run of campaign ${campaignId} has no recommendation for ad set ${JSON.stringify(adsetId)}${known.length > 0 ? `; its ad sets: ${known.join(', ')}` : ' (its recommendation covers the whole campaign, without ad sets)'}`;
}
