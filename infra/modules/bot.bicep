// The Azure Bot: its identity (a user-assigned managed identity, or a single-tenant app registration with
// a secret), the messaging endpoint, the Microsoft Teams channel, and the OAuth connection for Microsoft
// Graph that the bot names in OAUTH_CONNECTION_NAME.

@description('Name of the Azure Bot resource (globally unique).')
param name string

@description('Display name of the bot.')
param displayName string

@description('Azure Bot SKU: F0 (free) or S1.')
param sku string

@description('UserAssignedMsi or SingleTenant, as in MicrosoftAppType.')
@allowed([
  'UserAssignedMsi'
  'SingleTenant'
])
param appType string

@description('The bot\'s Microsoft App ID (the managed identity\'s client id, or the app registration\'s).')
param appId string

@description('Resource id of the managed identity; empty on the SingleTenant path.')
param identityResourceId string

@description('Microsoft Entra tenant id of the bot and of the app registration that signs users in.')
param tenantId string

@description('Messaging endpoint, https://<host>/api/messages.')
param endpoint string

@description('Name of the OAuth connection for Microsoft Graph (OAUTH_CONNECTION_NAME).')
param connectionName string

@description('Client id of the app registration that signs approvers in.')
param connectionClientId string

@description('Client secret of that app registration; empty when the connection uses the federated credential.')
@secure()
param connectionClientSecret string

@description('The federated credential\'s unique identifier (used when connectionClientSecret is empty).')
param tokenStoreIdentifier string

@description('Token Exchange URL for Teams SSO: api://botid-<bot id>.')
param tokenExchangeUrl string

@description('Delegated Microsoft Graph permissions the connection asks for, space separated.')
param scopes string

var isMsi = appType == 'UserAssignedMsi'
var federated = empty(connectionClientSecret)

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: name
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppType: isMsi ? 'UserAssignedMSI' : 'SingleTenant'
    msaAppId: appId
    msaAppTenantId: tenantId
    msaAppMSIResourceId: isMsi ? identityResourceId : null
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      deploymentEnvironment: 'CommercialDeployment'
    }
  }
}

// With no client secret the connection is "AAD v2 with Federated Credentials": the token store signs in as
// the app registration through the federated credential entra-app.bicep adds, so no secret exists.
// With a secret (SingleTenant path) it is "Azure Active Directory v2".
var federatedParameters = [
  { key: 'ClientId', value: connectionClientId }
  { key: 'UniqueIdentifier', value: tokenStoreIdentifier }
  { key: 'TokenExchangeUrl', value: tokenExchangeUrl }
  { key: 'TenantId', value: tenantId }
]
var secretParameters = [
  { key: 'tenantID', value: tenantId }
  { key: 'tokenExchangeUrl', value: tokenExchangeUrl }
]

resource graphConnection 'Microsoft.BotService/botServices/connections@2022-09-15' = {
  parent: bot
  name: connectionName
  location: 'global'
  properties: {
    serviceProviderId: federated ? 'c00b44ab-5e16-c44c-af26-2fd5bc55eb18' : '30dd229c-58e3-4a48-bdfd-91ec48eb906c'
    serviceProviderDisplayName: federated ? 'AAD v2 with Federated Credentials' : 'Azure Active Directory v2'
    clientId: connectionClientId
    clientSecret: federated ? null : connectionClientSecret
    scopes: scopes
    parameters: federated ? federatedParameters : secretParameters
  }
}

@description('Name of the Azure Bot resource.')
output name string = bot.name
