// Approvals for Microsoft Entra ID Governance: everything one bot needs in one resource group.
//
//   identity     user-assigned managed identity: the bot's Microsoft App ID, storage and Key Vault access
//   storage      Tables + Blobs for STORE=azure, data roles for the identity, shared keys off
//   keyvault     RBAC-mode vault for the secrets that remain, read through Key Vault references
//   monitoring   Log Analytics + Application Insights
//   appservice   Linux plan (several instances) + web app on Node 24 LTS
//   entra-app    the app registration that signs approvers in (Microsoft Graph Bicep extension)
//   bot          Azure Bot, Teams channel, OAuth connection for Microsoft Graph
//
// Naming: a parameter or output that feeds one of the bot's settings carries that setting's exact name
// (MicrosoftAppId, OAUTH_CONNECTION_NAME, ...); the web app's settings are named exactly as the bot reads
// them. The toolkit stores an output X as the environment variable X in upper case (MicrosoftAppId ->
// MICROSOFTAPPID). tests/infra/drift.test.ts checks all of this against src/config.

@description('Prefix of the resource names; a hash of the resource group is appended so names are unique.')
@minLength(3)
@maxLength(12)
param resourceBaseName string = 'approvals'

@description('Azure region of every regional resource (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('How the bot authenticates to Bot Framework: UserAssignedMsi (a managed identity, no secret) or SingleTenant (your own app registration and its client secret).')
@allowed([
  'UserAssignedMsi'
  'SingleTenant'
])
param MicrosoftAppType string = 'UserAssignedMsi'

@description('SingleTenant only: the client id of your app registration (README, "Sign-in (production)"). Ignored with UserAssignedMsi, where the managed identity\'s client id is the App ID.')
param MicrosoftAppId string = ''

@description('SingleTenant only: the client secret of that app registration; stored in Key Vault.')
@secure()
param MicrosoftAppPassword string = ''

@description('Name of the Azure Bot OAuth connection for Microsoft Graph.')
param OAUTH_CONNECTION_NAME string = 'graph'

@description('Prefix of the table and container names in the storage account.')
param AZURE_STORAGE_PREFIX string = 'approvals'

@description('IANA time zone for the times shown on cards, e.g. Europe/London.')
param CARD_TIME_ZONE string = 'UTC'

@description('Shared secret (32+ characters) that signs /api/notify pushes; stored in Key Vault. Empty: pushes are refused.')
@secure()
param NOTIFY_SECRET string = ''

@description('Number of App Service instances.')
@minValue(1)
@maxValue(30)
param instanceCount int = 2

@description('App Service plan SKU; it must allow scale-out and Always On (B1 and above; P0v3 or higher for production).')
param appServiceSku string = 'P0v3'

@description('Storage account redundancy; prefer Standard_ZRS where the region offers it.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_LRS'

@description('Display name of the Azure Bot and of the app registration.')
@maxLength(42)
param botDisplayName string = 'Approvals'

@description('Azure Bot SKU (the Teams channel is free on F0).')
@allowed([
  'F0'
  'S1'
])
param botServiceSku string = 'F0'

@description('UserAssignedMsi only: grant tenant-wide admin consent to the delegated Graph permissions (the deploying user must be a Privileged Role Administrator or Global Administrator). false: grant it in the Entra admin center.')
param grantAdminConsent bool = false

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Further app settings, e.g. { "LOG_LEVEL": "debug", "NOTIFY_DISCOVERY_SECONDS": "600" }; they override the ones this template sets.')
param extraAppSettings object = {}

var suffix = uniqueString(resourceGroup().id)
var baseName = '${resourceBaseName}-${suffix}'
var keyVaultName = 'kv-${suffix}'
var isMsi = MicrosoftAppType == 'UserAssignedMsi'
var tenantId = tenant().tenantId
// A toolkit placeholder left unexpanded (its environment variable is empty) counts as not given.
var notifySecret = startsWith(NOTIFY_SECRET, '\${{') ? '' : NOTIFY_SECRET
var appPassword = isMsi || startsWith(MicrosoftAppPassword, '\${{') ? '' : MicrosoftAppPassword
// The delegated Microsoft Graph permissions of README "Sign-in (production)".
var graphScopes = [
  'openid'
  'profile'
  'offline_access'
  'EntitlementManagement.ReadWrite.All'
  'PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup'
  'RoleAssignmentSchedule.ReadWrite.Directory'
  'PrivilegedAccess.ReadWrite.AzureAD'
  'AccessReview.ReadWrite.All'
]
// The "Unique Identifier" the token store projects; the federated credential's subject ends with it.
var tokenStoreIdentifier = guid(resourceGroup().id, 'bot-token-store')

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${baseName}'
    location: location
  }
}

var botAppId = isMsi ? identity.outputs.clientId : MicrosoftAppId

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${suffix}'
    location: location
    sku: storageSku
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: keyVaultName
    location: location
    principalId: identity.outputs.principalId
    notifySecret: notifySecret
    appPassword: appPassword
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: baseName
    location: location
    retentionInDays: logRetentionDays
  }
}

var notifySecretReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=notify-secret)'
var appPasswordReference = '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=microsoft-app-password)'

// The web app's settings, named exactly as the bot reads them (src/config). Secrets are Key Vault
// references, present only when the secret is given.
var appSettings = union(
  {
    NODE_ENV: 'production'
    WEBSITE_RUN_FROM_PACKAGE: '1'
    MicrosoftAppId: botAppId
    MicrosoftAppType: MicrosoftAppType
    MicrosoftAppTenantId: tenantId
    OAUTH_CONNECTION_NAME: OAUTH_CONNECTION_NAME
    STORE: 'azure'
    AZURE_STORAGE_TABLE_URL: storage.outputs.tableUrl
    AZURE_STORAGE_BLOB_URL: storage.outputs.blobUrl
    AZURE_STORAGE_PREFIX: AZURE_STORAGE_PREFIX
    AZURE_CLIENT_ID: identity.outputs.clientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
    CARD_TIME_ZONE: CARD_TIME_ZONE
  },
  empty(appPassword) ? {} : { MicrosoftAppPassword: appPasswordReference },
  empty(notifySecret) ? {} : { NOTIFY_SECRET: notifySecretReference },
  extraAppSettings
)

module appService 'modules/appservice.bicep' = {
  name: 'appservice'
  params: {
    name: baseName
    location: location
    sku: appServiceSku
    instanceCount: instanceCount
    identityId: identity.outputs.id
    appSettings: appSettings
  }
  dependsOn: [
    keyVault
  ]
}

// Applied twice: Microsoft Graph will not pre-authorize a scope in the request that creates it.
module ssoAppDraft 'modules/entra-app.bicep' = if (isMsi) {
  name: 'sso-app-draft'
  params: {
    uniqueName: '${baseName}-sso'
    displayName: botDisplayName
    botAppId: botAppId
    graphScopes: graphScopes
    tokenStoreIdentifier: tokenStoreIdentifier
    final: false
    grantAdminConsent: false
  }
}

module ssoApp 'modules/entra-app.bicep' = if (isMsi) {
  name: 'sso-app'
  params: {
    uniqueName: '${baseName}-sso'
    displayName: botDisplayName
    botAppId: botAppId
    graphScopes: graphScopes
    tokenStoreIdentifier: tokenStoreIdentifier
    final: true
    grantAdminConsent: grantAdminConsent
  }
  dependsOn: [
    ssoAppDraft
  ]
}

// UserAssignedMsi: a second app registration signs approvers in (a managed identity cannot expose an API).
// SingleTenant: your one app registration is both the bot and the sign-in app (README).
var ssoAppId = isMsi ? ssoApp.outputs.appId : MicrosoftAppId

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    name: baseName
    displayName: botDisplayName
    sku: botServiceSku
    appType: MicrosoftAppType
    appId: botAppId
    identityResourceId: isMsi ? identity.outputs.id : ''
    tenantId: tenantId
    endpoint: 'https://${appService.outputs.hostName}/api/messages'
    connectionName: OAUTH_CONNECTION_NAME
    connectionClientId: ssoAppId
    connectionClientSecret: appPassword
    tokenStoreIdentifier: tokenStoreIdentifier
    tokenExchangeUrl: 'api://botid-${botAppId}'
    scopes: join(graphScopes, ' ')
  }
}

@description('The bot\'s Microsoft App ID (the managed identity\'s client id on the UserAssignedMsi path): the MicrosoftAppId setting and the Teams package\'s bot id.')
output MicrosoftAppId string = botAppId

@description('Host name of the web app, for the Teams package (validDomains, default developer pages).')
output BOT_DOMAIN string = appService.outputs.hostName

@description('Client id of the app registration that signs approvers in: webApplicationInfo.id in the Teams package.')
output SSO_APP_ID string = ssoAppId

@description('Resource id of the web app that `atk deploy` uploads to.')
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = appService.outputs.id
