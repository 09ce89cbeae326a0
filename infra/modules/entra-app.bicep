// The Microsoft Entra app registration that signs approvers in (UserAssignedMsi path), with the
// Microsoft Graph Bicep extension: Teams SSO (api://botid-{bot id}, scope access_as_user, the Teams
// clients pre-authorized), the delegated Graph permissions the bot uses, and a federated identity
// credential that trusts the Bot Service token store, so the OAuth connection needs no client secret.
//
// main.bicep applies this module twice: first without pre-authorized clients (draft), then with them
// (final). Microsoft Graph refuses to pre-authorize a scope in the same request that creates it.

extension microsoftGraphV1

@description('Immutable unique name of the app registration in the tenant (the Graph extension\'s key).')
param uniqueName string

@description('Display name of the app registration.')
param displayName string

@description('The bot\'s Microsoft App ID; the Application ID URI is api://botid-<this id>.')
param botAppId string

@description('Delegated Microsoft Graph permissions, by name, that the OAuth connection asks for.')
param graphScopes array

@description('Identifier the Bot Service token store projects for this app (the OAuth connection\'s "Unique Identifier").')
param tokenStoreIdentifier string

@description('false: draft (scope without pre-authorized clients); true: final (pre-authorize the Teams clients, create the service principal, optionally grant consent).')
param final bool

@description('Grant tenant-wide admin consent for graphScopes (needs a Privileged Role Administrator or Global Administrator).')
param grantAdminConsent bool

var graphAppId = '00000003-0000-0000-c000-000000000000'
var tenantId = tenant().tenantId
var scopeId = guid(tenantId, uniqueName, 'access_as_user')
var teamsClients = [
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264' // Teams desktop and mobile
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' // Teams web
]

// The federated credential's subject names the token store and the tenant as the base64url of each GUID's
// 16 bytes in Microsoft's byte order (the first three groups reversed). Bicep has no byte functions, so
// the tenant id is encoded here with arithmetic: five 24-bit groups of four characters, then one byte.
var base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
var t = toLower(tenantId)
var tenantHex = '${substring(t, 6, 2)}${substring(t, 4, 2)}${substring(t, 2, 2)}${substring(t, 0, 2)}${substring(t, 11, 2)}${substring(t, 9, 2)}${substring(t, 16, 2)}${substring(t, 14, 2)}${substring(t, 19, 4)}${substring(t, 24, 12)}'
var nibbles = map(range(0, 32), i => indexOf('0123456789abcdef', substring(tenantHex, i, 1)))
var groups = map(range(0, 5), g => nibbles[6 * g] * 1048576 + nibbles[6 * g + 1] * 65536 + nibbles[6 * g + 2] * 4096 + nibbles[6 * g + 3] * 256 + nibbles[6 * g + 4] * 16 + nibbles[6 * g + 5])
var lastByte = nibbles[30] * 16 + nibbles[31]
var sextets = concat(flatten(map(groups, v => [v / 262144, (v / 4096) % 64, (v / 64) % 64, v % 64])), [lastByte / 4, (lastByte % 4) * 16])
var encodedTenant = join(map(sextets, s => substring(base64url, s, 1)), '')
// The Bot Service token store's app id, encoded the same way (value published in the Bot Service docs).
var encodedTokenStore = '9ExAW52n_ky4ZiS_jhpJIQ'

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

var accessAsUser = {
  id: scopeId
  value: 'access_as_user'
  type: 'User'
  isEnabled: true
  adminConsentDisplayName: 'Decide approvals as the signed-in user'
  adminConsentDescription: 'Lets Teams sign the user in to Approvals, which then decides access requests and reviews as that user.'
  userConsentDisplayName: 'Decide approvals as you'
  userConsentDescription: 'Lets Approvals decide access requests and reviews in your name.'
}

var api = {
  requestedAccessTokenVersion: 2
  oauth2PermissionScopes: [
    accessAsUser
  ]
}
var preAuthorized = [for client in teamsClients: { appId: client, delegatedPermissionIds: [scopeId] }]

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [
    'api://botid-${botAppId}'
  ]
  web: {
    redirectUris: [
      'https://token.botframework.com/.auth/web/redirect'
    ]
  }
  api: final ? union(api, { preAuthorizedApplications: preAuthorized }) : api
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: map(filter(graph.oauth2PermissionScopes, s => contains(graphScopes, s.value)), s => { id: s.id, type: 'Scope' })
    }
  ]

  resource tokenStoreTrust 'federatedIdentityCredentials@v1.0' = {
    name: '${app.uniqueName}/bot-token-store'
    description: 'The Bot Service token store exchanges sign-ins for this app (OAuth connection "AAD v2 with Federated Credentials").'
    audiences: [
      'api://AzureADTokenExchange'
    ]
    issuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
    subject: '/eid1/c/pub/t/${encodedTenant}/a/${encodedTokenStore}/${tokenStoreIdentifier}'
  }
}

resource principal 'Microsoft.Graph/servicePrincipals@v1.0' = if (final) {
  appId: app.appId
}

resource consent 'Microsoft.Graph/oauth2PermissionGrants@v1.0' = if (final && grantAdminConsent) {
  clientId: principal.id
  resourceId: graph.id
  consentType: 'AllPrincipals'
  scope: join(graphScopes, ' ')
}

@description('Application (client) id of the app registration: the OAuth connection\'s client id and the Teams manifest\'s webApplicationInfo.id.')
output appId string = app.appId

@description('The Application ID URI, api://botid-<bot id>: the OAuth connection\'s Token Exchange URL.')
output identifierUri string = 'api://botid-${botAppId}'
