// Log Analytics workspace and a workspace-based Application Insights resource; the connection string
// feeds APPLICATIONINSIGHTS_CONNECTION_STRING (Azure Monitor OpenTelemetry distro).

@description('Base name of the workspace and the Application Insights resource.')
param name string

@description('Azure region of both resources.')
param location string

@description('How many days the workspace keeps logs.')
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${name}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${name}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

@description('Application Insights connection string (APPLICATIONINSIGHTS_CONNECTION_STRING).')
output connectionString string = insights.properties.ConnectionString
