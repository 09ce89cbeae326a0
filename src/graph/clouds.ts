/** Microsoft Graph national cloud deployments and their service roots. */
export type GraphCloud = 'Global' | 'USGovL4' | 'USGovL5' | 'China';

export const GRAPH_CLOUDS: Readonly<Record<GraphCloud, string>> = {
  Global: 'https://graph.microsoft.com',
  // US Government L4 (GCC High) and L5 (DoD) have their own service roots.
  USGovL4: 'https://graph.microsoft.us',
  USGovL5: 'https://dod-graph.microsoft.us',
  China: 'https://microsoftgraph.chinacloudapi.cn',
};

export function isGraphCloud(value: string): value is GraphCloud {
  return Object.prototype.hasOwnProperty.call(GRAPH_CLOUDS, value);
}

/** The service root the client talks to: an explicit base URL wins over the named cloud. */
export function graphBaseUrl(cloud: GraphCloud, explicitBaseUrl?: string | null): string {
  const base =
    explicitBaseUrl && explicitBaseUrl.trim() !== '' ? explicitBaseUrl.trim() : GRAPH_CLOUDS[cloud];
  return base.replace(/\/+$/, '');
}
