// Lightdesk in Azure: a Linux Function App (Node 20, Functions v4) on the Consumption plan, its
// Storage account (the AzureWebJobsStorage of the host and Lightdesk's tables and queues),
// Application Insights, a user-assigned identity for Microsoft Graph, and the Azure Bot registration
// with the Teams channel. The Entra app of the bot (and tab SSO) is made by teamsapp.yml (aadApp/create)
// and comes in as parameters: Bicep cannot create Entra applications without the Graph extension,
// which needs rights a resource-group deployment usually lacks.
// Function App settings: https://learn.microsoft.com/azure/azure-functions/functions-app-settings

@maxLength(20)
@minLength(4)
@description('Prefix of every resource name.')
param resourceBaseName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Client id of the Entra app the bot signs in as (teamsapp.yml aadApp/create writes BOT_ID).')
param botAadAppClientId string

@secure()
@description('Client secret of that Entra app.')
param botAadAppClientSecret string

@description('Tenant of the single-tenant bot and of the tab SSO tokens.')
param botTenantId string = subscription().tenantId

@description('Display name of the bot in Azure.')
param botDisplayName string = 'Lightdesk'

@description('PhotoShelter API host.')
param photoShelterBaseUrl string = 'https://www.photoshelter.com'

@description('Base of the gallery links people open, e.g. https://acme.photoshelter.com.')
param photoShelterWebUrl string

@secure()
@description('PhotoShelter API key.')
param photoShelterApiKey string

@description('PhotoShelter member login email.')
param photoShelterEmail string

@secure()
@description('PhotoShelter member password.')
param photoShelterPassword string

@description('PhotoShelter organization to act in (O0000…); empty: the first one the login reports.')
param photoShelterOrgId string = ''

@description('Default Planner plan for routing rules that name none.')
param plannerPlanId string = ''

@secure()
@minLength(16)
@description('Key Power Automate and other callers send as x-api-key.')
param apiKey string

@secure()
@description('Shared key signing webhook deliveries (16+ characters); empty: a key per subscription.')
param webhookSigningSecret string = ''

@description('NCRONTAB schedules of the timers.')
param pollSchedule string = '0 * * * * *'
param syncPlannerSchedule string = '0 */5 * * * *'
param overdueSchedule string = '0 */5 * * * *'

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var storageName = toLower(take('${replace(resourceBaseName, '-', '')}${suffix}', 24))
var functionAppName = '${resourceBaseName}-${suffix}'
var publicBaseUrl = 'https://${functionAppName}.azurewebsites.net'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

// The events queue and its poison queue; Lightdesk also creates them (and its tables) on start.
resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}
resource eventsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'events'
}
resource eventsPoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'events-poison'
}
// Webhook deliveries (deliverWebhook), apart from the events so a slow subscriber never delays reviews.
resource webhooksQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'webhooks'
}
resource webhooksPoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'webhooks-poison'
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs-${suffix}'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-insights-${suffix}'
  location: location
  kind: 'web'
  properties: { Application_Type: 'Node.JS', WorkspaceResourceId: logs.id }
}

// Graph (Planner, users) is called as this identity: an admin grants it Tasks.ReadWrite.All and
// User.Read.All application permissions once (docs/deploy.md), so no Graph secret exists anywhere.
resource graphIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-graph-${suffix}'
  location: location
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: { name: 'Y1', tier: 'Dynamic' }
  properties: { reserved: true }
}

var storageConnection = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${graphIdentity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Node|20'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: 'AzureWebJobsStorage', value: storageConnection }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'LOG_LEVEL', value: 'info' }
        { name: 'EVENTS_QUEUE', value: eventsQueue.name }
        { name: 'QUEUE_MAX_DEQUEUE', value: '5' }
        { name: 'POLL_SCHEDULE', value: pollSchedule }
        { name: 'POLL_OVERLAP_SECONDS', value: '120' }
        { name: 'SYNC_PLANNER_SCHEDULE', value: syncPlannerSchedule }
        { name: 'OVERDUE_SCHEDULE', value: overdueSchedule }
        { name: 'WEBHOOK_RETRY_BASE_SECONDS', value: '30' }
        { name: 'WEBHOOK_MAX_FAILURES', value: '5' }
        { name: 'WEBHOOKS_QUEUE', value: webhooksQueue.name }
        { name: 'WEBHOOK_SIGNING_SECRET', value: webhookSigningSecret }
        { name: 'PHOTOSHELTER_BASE_URL', value: photoShelterBaseUrl }
        { name: 'PHOTOSHELTER_WEB_URL', value: photoShelterWebUrl }
        { name: 'PHOTOSHELTER_API_KEY', value: photoShelterApiKey }
        { name: 'PHOTOSHELTER_EMAIL', value: photoShelterEmail }
        { name: 'PHOTOSHELTER_PASSWORD', value: photoShelterPassword }
        { name: 'PHOTOSHELTER_ORG_ID', value: photoShelterOrgId }
        { name: 'API_KEY', value: apiKey }
        { name: 'PUBLIC_BASE_URL', value: publicBaseUrl }
        { name: 'ROUTING_RULES_FILE', value: 'config/routing-rules.json' }
        { name: 'GRAPH_BASE_URL', value: 'https://graph.microsoft.com' }
        { name: 'AZURE_TENANT_ID', value: botTenantId }
        { name: 'AZURE_CLIENT_ID', value: graphIdentity.properties.clientId }
        { name: 'PLANNER_PLAN_ID', value: plannerPlanId }
        { name: 'MicrosoftAppId', value: botAadAppClientId }
        { name: 'MicrosoftAppPassword', value: botAadAppClientSecret }
        { name: 'MicrosoftAppTenantId', value: botTenantId }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'TAB_SSO_CLIENT_ID', value: botAadAppClientId }
        { name: 'TAB_SSO_TENANT_ID', value: botTenantId }
      ]
    }
  }
}

// The Azure Bot registration: Teams sends activities to the Function App's /api/messages.
// https://learn.microsoft.com/azure/bot-service/bot-builder-authentication (single tenant)
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: '${publicBaseUrl}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: 'SingleTenant'
    msaAppTenantId: botTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}

// Written to env/.env.{environment} by arm/deploy, for the later teamsapp.yml steps.
output FUNCTION_APP_RESOURCE_ID string = functionApp.id
output FUNCTION_APP_NAME string = functionApp.name
output PUBLIC_BASE_URL string = publicBaseUrl
output PUBLIC_HOST string = '${functionAppName}.azurewebsites.net'
output GRAPH_IDENTITY_PRINCIPAL_ID string = graphIdentity.properties.principalId
