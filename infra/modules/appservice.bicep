// App Service on Linux, Node 24 LTS: one plan scaled out to several instances, one web app that runs
// `node dist/src/main.js` from the zip `atk deploy` uploads. No instance holds session state, so ARR
// affinity is off; the platform health check takes an instance out of rotation when /healthz fails.

@description('Base name of the plan and the web app (the app name becomes <name>.azurewebsites.net).')
param name string

@description('Azure region of the plan and the app.')
param location string

@description('App Service plan SKU; it must allow scale-out and Always On (B1 and above).')
param sku string

@description('Number of instances the plan runs.')
param instanceCount int

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('App settings, named after the variables the bot reads (see main.bicep).')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  kind: 'linux'
  sku: {
    name: sku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      linuxFxVersion: 'NODE|24-lts'
      appCommandLine: 'node dist/src/main.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

@description('Resource id of the web app (the target of `atk deploy`).')
output id string = site.id

@description('Default host name of the web app, e.g. approvals-abc.azurewebsites.net.')
output hostName string = site.properties.defaultHostName
