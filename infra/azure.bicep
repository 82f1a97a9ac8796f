// Lightdesk in Azure: one Linux Function App (Node 20, Functions v4) on the Consumption plan, its
// Storage account (the host's AzureWebJobsStorage and Lightdesk's tables and queues), Application
// Insights on a Log Analytics workspace, a user-assigned identity for Microsoft Graph, and the Azure
// Bot registration with the Teams channel. teamsapp.yml deploys it (arm/deploy); so can
// `az deployment group create` (docs/deploy.md).
//
// The Entra app (the bot's identity and the tab's SSO resource) is not created here: teamsapp.yml
// makes it with aadApp/create and passes its id, secret and tenant in as parameters. The Graph Bicep
// extension can declare applications, but not their client secrets, which the bot needs
// (https://learn.microsoft.com/graph/templates/bicep/limitations), and it needs directory rights a
// resource-group deployment usually lacks.
//
// Keep to syntax Bicep v0.9.1 compiles (multi-line objects, no `.?`, no spreads): teamsapp.yml pins
// that version, as the Agents Toolkit templates do.
//
// Every app setting Lightdesk reads is named as in composition/config.ts (configSlices), and
// test/unit/provisioning checks that each one is set here or is local only.
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings

@minLength(4)
@maxLength(20)
@description('Prefix of every resource name, e.g. lightdeskdev.')
param resourceBaseName string

@description('Azure region of every resource but the bot (global).')
param location string = resourceGroup().location

@description('Client id of the Entra app the bot signs in as (aadApp/create writes BOT_ID).')
param botAadAppClientId string

@secure()
@minLength(1)
@description('Client secret of that Entra app (SECRET_BOT_PASSWORD).')
param botAadAppClientSecret string

@description('Tenant of the Entra app: the single tenant of the bot, of tab SSO and of Planner.')
param botTenantId string = subscription().tenantId

@description('Display name of the bot in Azure.')
param botDisplayName string = 'Lightdesk'

@description('LOG_LEVEL: debug, info, warn, error or silent.')
param logLevel string = 'info'

@description('PHOTOSHELTER_BASE_URL: the PhotoShelter API host.')
param photoShelterBaseUrl string = 'https://www.photoshelter.com'

@description('PHOTOSHELTER_WEB_URL: base of the gallery links people open; empty: the API host.')
param photoShelterWebUrl string = ''

@secure()
@minLength(1)
@description('PHOTOSHELTER_API_KEY.')
param photoShelterApiKey string

@minLength(1)
@description('PHOTOSHELTER_EMAIL: the member login.')
param photoShelterEmail string

@secure()
@minLength(1)
@description('PHOTOSHELTER_PASSWORD.')
param photoShelterPassword string

@description('PHOTOSHELTER_ORG_ID (O0000…); empty: the first organization the login reports.')
param photoShelterOrgId string = ''

@description('PLANNER_PLAN_ID: the plan of routing rules that name none.')
param plannerPlanId string = ''

@description('GRAPH_BASE_URL: the Microsoft Graph root.')
param graphBaseUrl string = 'https://graph.microsoft.com'

@secure()
@minLength(16)
@description('API_KEY: what Power Automate and other callers send as x-api-key.')
param apiKey string

@secure()
@description('WEBHOOK_SIGNING_SECRET (16+ characters); empty: each subscription gets its own key.')
param webhookSigningSecret string = ''

@description('ROUTING_RULES_FILE, relative to the deployed package.')
param routingRulesFile string = 'config/routing-rules.json'

@description('EVENTS_QUEUE: queue of library events; failures go to "<name>-poison".')
param eventsQueue string = 'events'

@description('WEBHOOKS_QUEUE: queue of webhook deliveries; failures go to "<name>-poison".')
param webhooksQueue string = 'webhooks'

@description('QUEUE_MAX_DEQUEUE: deliveries of a message before it moves to the poison queue.')
param queueMaxDequeue string = '5'

@description('POLL_SCHEDULE: NCRONTAB (six fields) of pollPhotoShelter.')
param pollSchedule string = '0 * * * * *'

@description('BATCH_WINDOW_SECONDS: how long a review goes without new files before its task details and card are written.')
param batchWindowSeconds string = '2'

@description('POLL_OVERLAP_SECONDS: how far behind its cursor each poll looks.')
param pollOverlapSeconds string = '120'

@description('SYNC_PLANNER_SCHEDULE: NCRONTAB of syncPlanner.')
param syncPlannerSchedule string = '0 */5 * * * *'

@description('OVERDUE_SCHEDULE: NCRONTAB of sweepOverdue.')
param overdueSchedule string = '0 */5 * * * *'

@description('RECONCILE_SCHEDULE: NCRONTAB of reconcileReviews.')
param reconcileSchedule string = '0 */5 * * * *'

@description('WEBHOOK_RETRY_BASE_SECONDS: first wait before a failed delivery is retried.')
param webhookRetryBaseSeconds string = '30'

@description('WEBHOOK_MAX_FAILURES: failures in a row that disable a subscription.')
param webhookMaxFailures string = '5'

@description('WEBHOOK_MAX_SUBSCRIPTIONS: live webhook subscriptions at once.')
param webhookMaxSubscriptions string = '100'

@description('WEBHOOK_ALLOW_PRIVATE_TARGETS: true lets callbacks reach private addresses (empty: false).')
param webhookAllowPrivateTargets string = ''

// The parameters file passes every value from env/.env.{environment}, where an empty line means
// "not set", as it does for Lightdesk itself. The Functions host resolves %EVENTS_QUEUE%,
// %POLL_SCHEDULE% and the like before Lightdesk runs and cannot start a trigger on an empty one, so
// those get their default here rather than an empty setting.
var eventsQueueName = empty(eventsQueue) ? 'events' : eventsQueue
var webhooksQueueName = empty(webhooksQueue) ? 'webhooks' : webhooksQueue
var pollScheduleValue = empty(pollSchedule) ? '0 * * * * *' : pollSchedule
var syncPlannerScheduleValue = empty(syncPlannerSchedule) ? '0 */5 * * * *' : syncPlannerSchedule
var overdueScheduleValue = empty(overdueSchedule) ? '0 */5 * * * *' : overdueSchedule
var reconcileScheduleValue = empty(reconcileSchedule) ? '0 */5 * * * *' : reconcileSchedule
var queueMaxDequeueValue = empty(queueMaxDequeue) ? '5' : queueMaxDequeue
// requireHostedServices (composition/config.ts) refuses to start without a PhotoShelter host.
var photoShelterBaseUrlValue = empty(photoShelterBaseUrl) ? 'https://www.photoshelter.com' : photoShelterBaseUrl
var tenantId = empty(botTenantId) ? subscription().tenantId : botTenantId

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var storageName = toLower(take('${replace(resourceBaseName, '-', '')}${suffix}', 24))
var functionAppName = '${resourceBaseName}-${suffix}'
// The default host name; a custom domain would change PUBLIC_BASE_URL, the bot endpoint and the
// manifest together.
var publicHost = '${functionAppName}.azurewebsites.net'
var publicBaseUrl = 'https://${publicHost}'

// The tables Lightdesk keeps (connectors/azure-storage/config.ts storageNames). It also creates
// them on first use; creating them here makes a missing permission fail the deployment, not a poll.
var tableNames = [
  'cursors'
  'snapshots'
  'effects'
  'audit'
  'reviews'
  'conversations'
  'subscriptions'
]
// Each queue and the "<name>-poison" queue the Functions runtime moves failing messages to
// (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
var queueNames = [
  eventsQueueName
  '${eventsQueueName}-poison'
  webhooksQueueName
  '${webhooksQueueName}-poison'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    // AzureWebJobsStorage is a key-based connection string: Lightdesk's table and queue clients take
    // one, and Linux Consumption zip deploy keeps the package in this account with it.
    allowSharedKeyAccess: true
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for name in queueNames: {
  parent: queueService
  name: name
}]

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs-${suffix}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-insights-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

// Graph (Planner, users) is called as this identity, so no Graph secret exists anywhere. An admin
// grants it Tasks.ReadWrite.All and User.Read.All once (docs/deploy.md). Its tokens come from the
// subscription's tenant, so that must be the Microsoft 365 tenant of the plans.
resource graphIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-graph-${suffix}'
  location: location
}

// Linux Consumption (Y1), not Flex Consumption: teamsapp.yml deploys with azureFunctions/zipDeploy,
// which posts to Kudu's /api/zipdeploy, and Flex Consumption takes only "one deploy"
// (https://learn.microsoft.com/azure/azure-functions/functions-deployment-technologies). Microsoft
// steers new apps to Flex Consumption; moving means a deploy step that uses one deploy.
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {
    reserved: true
  }
}

var storageConnection = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'

resource functionApp 'Microsoft.Web/sites@2023-12-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${graphIdentity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Node|20'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      // Replaced whole on every provision, including the package URL zip deploy sets on Linux
      // Consumption (WEBSITE_RUN_FROM_PACKAGE): deploy again after provisioning (docs/deploy.md).
      appSettings: [
        // The Functions host.
        {
          name: 'FUNCTIONS_EXTENSION_VERSION'
          value: '~4'
        }
        {
          name: 'FUNCTIONS_WORKER_RUNTIME'
          value: 'node'
        }
        {
          name: 'AzureWebJobsStorage'
          value: storageConnection
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
        }
        // azureFunctions/zipDeploy uploads dist/ and the pruned node_modules, already built: Kudu on
        // Linux Consumption would otherwise run a remote (Oryx) build over them
        // (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#scm_do_build_during_deployment).
        {
          name: 'SCM_DO_BUILD_DURING_DEPLOYMENT'
          value: 'false'
        }
        {
          name: 'ENABLE_ORYX_BUILD'
          value: 'false'
        }
        // host.json says 5 deliveries before poison; QUEUE_MAX_DEQUEUE must agree with the host, so
        // one value sets both (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values).
        {
          name: 'AzureFunctionsJobHost__extensions__queues__maxDequeueCount'
          value: queueMaxDequeueValue
        }
        // Lightdesk (composition/config.ts).
        {
          name: 'LOG_LEVEL'
          value: logLevel
        }
        {
          name: 'EVENTS_QUEUE'
          value: eventsQueueName
        }
        {
          name: 'QUEUE_MAX_DEQUEUE'
          value: queueMaxDequeueValue
        }
        {
          name: 'POLL_SCHEDULE'
          value: pollScheduleValue
        }
        {
          name: 'POLL_OVERLAP_SECONDS'
          value: pollOverlapSeconds
        }
        {
          name: 'BATCH_WINDOW_SECONDS'
          value: batchWindowSeconds
        }
        {
          name: 'SYNC_PLANNER_SCHEDULE'
          value: syncPlannerScheduleValue
        }
        {
          name: 'OVERDUE_SCHEDULE'
          value: overdueScheduleValue
        }
        {
          name: 'RECONCILE_SCHEDULE'
          value: reconcileScheduleValue
        }
        {
          name: 'WEBHOOKS_QUEUE'
          value: webhooksQueueName
        }
        {
          name: 'WEBHOOK_RETRY_BASE_SECONDS'
          value: webhookRetryBaseSeconds
        }
        {
          name: 'WEBHOOK_MAX_FAILURES'
          value: webhookMaxFailures
        }
        {
          name: 'WEBHOOK_MAX_SUBSCRIPTIONS'
          value: webhookMaxSubscriptions
        }
        {
          name: 'WEBHOOK_ALLOW_PRIVATE_TARGETS'
          value: webhookAllowPrivateTargets
        }
        {
          name: 'WEBHOOK_SIGNING_SECRET'
          value: webhookSigningSecret
        }
        {
          name: 'PHOTOSHELTER_BASE_URL'
          value: photoShelterBaseUrlValue
        }
        {
          name: 'PHOTOSHELTER_WEB_URL'
          value: photoShelterWebUrl
        }
        {
          name: 'PHOTOSHELTER_API_KEY'
          value: photoShelterApiKey
        }
        {
          name: 'PHOTOSHELTER_EMAIL'
          value: photoShelterEmail
        }
        {
          name: 'PHOTOSHELTER_PASSWORD'
          value: photoShelterPassword
        }
        {
          name: 'PHOTOSHELTER_ORG_ID'
          value: photoShelterOrgId
        }
        {
          name: 'API_KEY'
          value: apiKey
        }
        {
          name: 'PUBLIC_BASE_URL'
          value: publicBaseUrl
        }
        {
          name: 'ROUTING_RULES_FILE'
          value: routingRulesFile
        }
        // Graph as the user-assigned identity: AZURE_CLIENT_ID alone names it
        // (connectors/graph-planner/credential.ts); AZURE_TENANT_ID names the tenant in task links.
        {
          name: 'GRAPH_BASE_URL'
          value: graphBaseUrl
        }
        {
          name: 'AZURE_TENANT_ID'
          value: tenantId
        }
        {
          name: 'AZURE_CLIENT_ID'
          value: graphIdentity.properties.clientId
        }
        {
          name: 'PLANNER_PLAN_ID'
          value: plannerPlanId
        }
        // The bot, and the tab's SSO tokens, which are issued for the same Entra app.
        {
          name: 'MicrosoftAppId'
          value: botAadAppClientId
        }
        {
          name: 'MicrosoftAppPassword'
          value: botAadAppClientSecret
        }
        {
          name: 'MicrosoftAppTenantId'
          value: tenantId
        }
        {
          name: 'MicrosoftAppType'
          value: 'SingleTenant'
        }
        {
          name: 'TAB_SSO_CLIENT_ID'
          value: botAadAppClientId
        }
        {
          name: 'TAB_SSO_TENANT_ID'
          value: tenantId
        }
      ]
    }
  }
  dependsOn: [
    tables
    queues
  ]
}

// Teams sends activities to the Function App's /api/messages. Single tenant: new multi-tenant bots
// can no longer be created (https://learn.microsoft.com/azure/bot-service/bot-service-quickstart-registration),
// and MicrosoftAppType above must match msaAppType.
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: '${publicBaseUrl}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// arm/deploy writes each output to env/.env.{environment} under its own (upper-case) name, for the
// later steps: zipDeploy's resource id, the app package's host, the Entra app's identifier URI.
output FUNCTION_APP_RESOURCE_ID string = functionApp.id
output FUNCTION_APP_NAME string = functionApp.name
output PUBLIC_BASE_URL string = publicBaseUrl
output PUBLIC_HOST string = publicHost
output GRAPH_IDENTITY_PRINCIPAL_ID string = graphIdentity.properties.principalId
