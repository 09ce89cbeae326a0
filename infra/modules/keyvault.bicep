// Key Vault in RBAC mode for the few secrets that remain (NOTIFY_SECRET; MicrosoftAppPassword on the
// SingleTenant path). The managed identity may read secrets; App Service resolves Key Vault references
// with it. A secret is written only when it is given.

@description('Name of the vault (3-24 letters, digits and hyphens, globally unique).')
param name string

@description('Azure region of the vault.')
param location string

@description('Object (principal) id of the managed identity that gets "Key Vault Secrets User".')
param principalId string

@description('Value of the secret notify-secret (NOTIFY_SECRET); empty: not written.')
@secure()
param notifySecret string

@description('Value of the secret microsoft-app-password (MicrosoftAppPassword, SingleTenant path); empty: not written.')
@secure()
param appPassword string

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource notifySecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(notifySecret)) {
  parent: vault
  name: 'notify-secret'
  properties: {
    value: notifySecret
  }
}

resource appPasswordValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(appPassword)) {
  parent: vault
  name: 'microsoft-app-password'
  properties: {
    value: appPassword
  }
}

@description('Name of the vault; app settings refer to its secrets as @Microsoft.KeyVault(VaultName=...;SecretName=...).')
output name string = vault.name
