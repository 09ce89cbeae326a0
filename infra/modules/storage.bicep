// The storage account every instance shares (STORE=azure): Tables and Blobs, reached with the managed
// identity only. Shared keys are switched off, so there is no connection string to leak.

@description('Name of the storage account (3-24 lower-case letters and digits, globally unique).')
param name string

@description('Azure region of the account.')
param location string

@description('Storage redundancy, e.g. Standard_LRS or Standard_ZRS (ZRS where the region offers it).')
param sku string

@description('Object (principal) id of the managed identity that gets the Table and Blob data roles.')
param principalId string

// Built-in role definition ids.
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource tableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, storageTableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, storageBlobDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Table service endpoint of the account (AZURE_STORAGE_TABLE_URL).')
output tableUrl string = account.properties.primaryEndpoints.table

@description('Blob service endpoint of the account (AZURE_STORAGE_BLOB_URL).')
output blobUrl string = account.properties.primaryEndpoints.blob
