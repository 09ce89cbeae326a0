import type { Portal } from './kinds';

/** The clouds an approver's tenant can live in (GRAPH_CLOUD): each has its own portal hosts. */
export type PortalCloud = 'Global' | 'USGovL4' | 'USGovL5' | 'China';

const GLOBAL_MY_ACCESS = 'https://myaccess.microsoft.com';
const GLOBAL_AZURE_PORTAL = 'https://portal.azure.com';

/**
 * The Azure portal's host per cloud is documented (learn.microsoft.com/entra/identity-platform/
 * authentication-national-cloud: portal.azure.us, portal.azure.cn). UNCERTAIN: My Access's US Government host
 * (myaccess.microsoft.us) is not in the pages read for this project, and no My Access host is documented for
 * the cloud operated by 21Vianet, so there its items link to that cloud's Azure portal instead.
 */
const HOSTS: Readonly<
  Record<PortalCloud, { readonly myAccess: string | null; readonly azurePortal: string }>
> = {
  Global: { myAccess: GLOBAL_MY_ACCESS, azurePortal: GLOBAL_AZURE_PORTAL },
  USGovL4: { myAccess: 'https://myaccess.microsoft.us', azurePortal: 'https://portal.azure.us' },
  USGovL5: { myAccess: 'https://myaccess.microsoft.us', azurePortal: 'https://portal.azure.us' },
  China: { myAccess: null, azurePortal: 'https://portal.azure.cn' },
};

/** `portal` (written for the public cloud) where the tenant's cloud has it. */
export function portalIn(portal: Portal, cloud: PortalCloud = 'Global'): Portal {
  const hosts = HOSTS[cloud];
  if (portal.url.startsWith(`${GLOBAL_AZURE_PORTAL}/`))
    return { ...portal, url: hosts.azurePortal + portal.url.slice(GLOBAL_AZURE_PORTAL.length) };
  if (!portal.url.startsWith(`${GLOBAL_MY_ACCESS}/`)) return portal;
  if (hosts.myAccess) return { ...portal, url: hosts.myAccess + portal.url.slice(GLOBAL_MY_ACCESS.length) };
  return {
    title: 'Open the Azure portal',
    url: `${hosts.azurePortal}/`,
    name: 'the Azure portal',
    listTitle: 'The Azure portal',
  };
}
