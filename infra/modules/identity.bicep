// The one user-assigned managed identity of the bot: its client id is the bot's Microsoft App ID
// (MicrosoftAppType=UserAssignedMsi) and the AZURE_CLIENT_ID that @azure/identity uses for storage.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
}

@description('Resource id of the identity (Azure Bot msaAppMSIResourceId, web app identity, Key Vault reference identity).')
output id string = identity.id

@description('Client id of the identity: the bot\'s Microsoft App ID and AZURE_CLIENT_ID.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity, for role assignments.')
output principalId string = identity.properties.principalId

@description('Microsoft Entra tenant of the identity.')
output tenantId string = identity.properties.tenantId
