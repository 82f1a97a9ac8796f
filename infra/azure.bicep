// Lightdesk in Azure: one Linux Function App (Node 22, Functions v4) on the Flex Consumption plan,
// its Storage account (the host's AzureWebJobsStorage, the deployment package, Lightdesk's tables and
// queues), a Key Vault holding every secret, Application Insights on a Log Analytics workspace, one
// user-assigned identity the app uses for Storage, Key Vault and Microsoft Graph, and the Azure Bot
// registration with the Teams channel. teamsapp.yml provisions it (arm/deploy); so can
// `az deployment group create` (docs/deploy.md).
//
// No account key and no secret is in an app setting: Storage is reached as the identity (shared key
// access is off), and each secret setting is a Key Vault reference
// (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references).
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

@description('PHOTOSHELTER_TIME_ZONE (IANA name, e.g. America/New_York); empty: the session\'s zone.')
param photoShelterTimeZone string = ''

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

@secure()
@description('ZIFLOW_API_KEY of the integration user; empty: no Ziflow (rules stay in Teams).')
param ziflowApiKey string = ''

@description('ZIFLOW_BASE_URL: the Ziflow API base.')
param ziflowBaseUrl string = 'https://api.ziflow.io/v1'

@secure()
@description('ZIFLOW_WEBHOOK_KEY: signature key of the Ziflow webhook to /api/v1/hooks/ziflow; required with ziflowApiKey.')
param ziflowWebhookKey string = ''

@description('PRESERVICA_BASE_URL, e.g. https://eu.preservica.com; empty: no Preservica (rules with preserve wait).')
param preservicaBaseUrl string = ''

@description('PRESERVICA_USERNAME: the user Lightdesk logs in to Preservica as.')
param preservicaUsername string = ''

@secure()
@description('PRESERVICA_PASSWORD of that user; required with preservicaBaseUrl.')
param preservicaPassword string = ''

@description('PRESERVICA_TENANT: the Preservica tenant (also names the upload bucket).')
param preservicaTenant string = ''

@secure()
@description('PRESERVICA_WEBHOOK_SECRET: shared secret of the Preservica webhooks to /api/v1/hooks/preservica; empty: polling only.')
param preservicaWebhookSecret string = ''

@description('PRESERVICA_POLL_SECONDS: seconds between looks at an ingest\'s progress.')
param preservicaPollSeconds string = '30'

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

@description('DRIFT_SCHEDULE: NCRONTAB of checkDrift (PhotoShelter vs Preservica metadata).')
param driftSchedule string = '0 0 * * * *'

@description('DRIFT_SYNC: per field, how a metadata difference is synced (empty: report only).')
param driftSync string = ''

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
var driftScheduleValue = empty(driftSchedule) ? '0 0 * * * *' : driftSchedule
var reconcileScheduleValue = empty(reconcileSchedule) ? '0 */5 * * * *' : reconcileSchedule
var queueMaxDequeueValue = empty(queueMaxDequeue) ? '5' : queueMaxDequeue
// requireHostedServices (composition/config.ts) refuses to start without a PhotoShelter host.
var photoShelterBaseUrlValue = empty(photoShelterBaseUrl) ? 'https://www.photoshelter.com' : photoShelterBaseUrl
var tenantId = empty(botTenantId) ? subscription().tenantId : botTenantId

var suffix = uniqueString(resourceGroup().id, resourceBaseName)
var storageName = toLower(take('${replace(resourceBaseName, '-', '')}${suffix}', 24))
var functionAppName = '${resourceBaseName}-${suffix}'
// 3-24 letters, digits and hyphens, starting with a letter.
var keyVaultName = toLower(take('kv${replace(resourceBaseName, '-', '')}${suffix}', 24))
// The blob container Flex Consumption deploys the app package to (one deploy writes it there).
var deploymentContainerName = 'app-package'
// Node 22: Node 20 reached end of life in April 2026. Flex Consumption takes the version here, not in
// linuxFxVersion (https://learn.microsoft.com/azure/azure-functions/functions-reference-node#setting-the-node-version).
var nodeVersion = '22'
// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles). The
// host needs blob (its leases, timers and the deployment package), queue and table data access on
// an identity-based AzureWebJobsStorage
// (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity);
// Lightdesk's own clients use the same identity for its tables and queues.
var storageRoleIds = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
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
    // Everything reaches this account as the app's identity: the host (AzureWebJobsStorage__*),
    // Lightdesk's table and queue clients, and one deploy's package upload.
    allowSharedKeyAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
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

// The app's one identity. Graph (Planner, users) is called as it, so no Graph secret exists
// anywhere: an admin grants it Tasks.ReadWrite.All and User.Read.All once (docs/deploy.md). Its
// tokens come from the subscription's tenant, so that must be the Microsoft 365 tenant of the plans.
// It also reads the Key Vault references and reaches Storage (the role assignments below).
resource graphIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-graph-${suffix}'
  location: location
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in storageRoleIds: {
  name: guid(storage.id, graphIdentity.id, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: graphIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

// Secrets live here, written from the @secure() params; the app settings only point at them.
// Azure RBAC, not access policies (https://learn.microsoft.com/azure/key-vault/general/rbac-guide).
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    softDeleteRetentionInDays: 7
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, graphIdentity.id, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: graphIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'bot-password'
  properties: {
    value: botAadAppClientSecret
  }
}

resource photoShelterApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'photoshelter-api-key'
  properties: {
    value: photoShelterApiKey
  }
}

resource photoShelterPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'photoshelter-password'
  properties: {
    value: photoShelterPassword
  }
}

resource apiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'api-key'
  properties: {
    value: apiKey
  }
}

// Optional: empty means each subscription gets its own key, so there is nothing to store.
resource webhookSigningSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(webhookSigningSecret)) {
  parent: vault
  name: 'webhook-signing-secret'
  properties: {
    value: webhookSigningSecret
  }
}

// Optional: without a Ziflow account there is nothing to store.
resource ziflowApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(ziflowApiKey)) {
  parent: vault
  name: 'ziflow-api-key'
  properties: {
    value: ziflowApiKey
  }
}

resource ziflowWebhookKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(ziflowWebhookKey)) {
  parent: vault
  name: 'ziflow-webhook-key'
  properties: {
    value: ziflowWebhookKey
  }
}

// Optional: without a Preservica account there is nothing to store.
resource preservicaPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(preservicaPassword)) {
  parent: vault
  name: 'preservica-password'
  properties: {
    value: preservicaPassword
  }
}

resource preservicaWebhookSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(preservicaWebhookSecret)) {
  parent: vault
  name: 'preservica-webhook-secret'
  properties: {
    value: preservicaWebhookSecret
  }
}

// A Key Vault reference without a version follows the secret's latest version
// (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#reference-syntax).
var botPasswordReference = '@Microsoft.KeyVault(SecretUri=${botPasswordSecret.properties.secretUri})'
var photoShelterApiKeyReference = '@Microsoft.KeyVault(SecretUri=${photoShelterApiKeySecret.properties.secretUri})'
var photoShelterPasswordReference = '@Microsoft.KeyVault(SecretUri=${photoShelterPasswordSecret.properties.secretUri})'
var apiKeyReference = '@Microsoft.KeyVault(SecretUri=${apiKeySecret.properties.secretUri})'
var webhookSigningSecretReference = empty(webhookSigningSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${webhookSigningSecretValue.properties.secretUri})'
var ziflowApiKeyReference = empty(ziflowApiKey) ? '' : '@Microsoft.KeyVault(SecretUri=${ziflowApiKeySecret.properties.secretUri})'
var ziflowWebhookKeyReference = empty(ziflowWebhookKey) ? '' : '@Microsoft.KeyVault(SecretUri=${ziflowWebhookKeySecret.properties.secretUri})'
var preservicaPasswordReference = empty(preservicaPassword) ? '' : '@Microsoft.KeyVault(SecretUri=${preservicaPasswordSecret.properties.secretUri})'
var preservicaWebhookSecretReference = empty(preservicaWebhookSecret) ? '' : '@Microsoft.KeyVault(SecretUri=${preservicaWebhookSecretValue.properties.secretUri})'

// Flex Consumption (FC1): Linux Consumption (Y1) is retiring
// (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan). Flex takes only "one
// deploy", so teamsapp.yml deploys with a script step (docs/deploy.md), not azureFunctions/zipDeploy.
resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${resourceBaseName}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
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
    // Key Vault references resolve as the user-assigned identity, not a system-assigned one.
    keyVaultReferenceIdentity: graphIdentity.id
    // https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#create-a-flex-consumption-app
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: graphIdentity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: 40
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      // Replaced whole on every provision. Flex Consumption refuses FUNCTIONS_WORKER_RUNTIME,
      // FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and the build settings: functionAppConfig
      // says all that (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).
      appSettings: [
        // The host's storage, as the identity: no connection string, no key
        // (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
        // Lightdesk's clients read the same two settings (composition/config.ts).
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: graphIdentity.properties.clientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: insights.properties.ConnectionString
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
          name: 'DRIFT_SCHEDULE'
          value: driftScheduleValue
        }
        {
          name: 'DRIFT_SYNC'
          value: driftSync
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
          value: webhookSigningSecretReference
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
          value: photoShelterApiKeyReference
        }
        {
          name: 'PHOTOSHELTER_EMAIL'
          value: photoShelterEmail
        }
        {
          name: 'PHOTOSHELTER_PASSWORD'
          value: photoShelterPasswordReference
        }
        {
          name: 'PHOTOSHELTER_ORG_ID'
          value: photoShelterOrgId
        }
        {
          name: 'PHOTOSHELTER_TIME_ZONE'
          value: photoShelterTimeZone
        }
        {
          name: 'ZIFLOW_API_KEY'
          value: ziflowApiKeyReference
        }
        {
          name: 'ZIFLOW_BASE_URL'
          value: ziflowBaseUrl
        }
        {
          name: 'ZIFLOW_WEBHOOK_KEY'
          value: ziflowWebhookKeyReference
        }
        {
          name: 'PRESERVICA_BASE_URL'
          value: preservicaBaseUrl
        }
        {
          name: 'PRESERVICA_USERNAME'
          value: preservicaUsername
        }
        {
          name: 'PRESERVICA_PASSWORD'
          value: preservicaPasswordReference
        }
        {
          name: 'PRESERVICA_TENANT'
          value: preservicaTenant
        }
        {
          name: 'PRESERVICA_WEBHOOK_SECRET'
          value: preservicaWebhookSecretReference
        }
        {
          name: 'PRESERVICA_POLL_SECONDS'
          value: preservicaPollSeconds
        }
        {
          name: 'API_KEY'
          value: apiKeyReference
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
          value: botPasswordReference
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
  // The roles first: the host reads its storage and the references as soon as it starts.
  dependsOn: [
    tables
    queues
    deploymentContainer
    storageRoles
    vaultSecretsUser
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
// later steps: the deploy script's app name and resource group, the app package's host, the Entra
// app's identifier URI.
output FUNCTION_APP_RESOURCE_ID string = functionApp.id
output FUNCTION_APP_NAME string = functionApp.name
output PUBLIC_BASE_URL string = publicBaseUrl
output PUBLIC_HOST string = publicHost
output GRAPH_IDENTITY_PRINCIPAL_ID string = graphIdentity.properties.principalId
