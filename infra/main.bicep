// Attendance Casework for Microsoft 365: the Azure side, in one resource group.
//
//   Flex Consumption plan (FC1, Linux) + function app (Python 3.11)
//   storage account: deployment container (blob), the change queue and its poison queue,
//                    the state tables; the host and the deployment reach it as the identity
//   user-assigned managed identity: Microsoft Graph (Sites.Selected, granted by an admin
//                    afterwards, see docs/deployment.md) and storage (role assignments below)
//   Application Insights on a Log Analytics workspace, Entra-only ingestion
//
// Deploy: az deployment group create --resource-group RG --template-file infra/main.bicep \
//           --parameters @infra/main.parameters.json
// Not compiled here: no Bicep CLI could be installed from a package registry on the machine
// this was written on. See infra/README.md.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

@description('Region for every resource. Flex Consumption is not offered in every region: check with `az functionapp list-flexconsumption-locations`. UK South keeps the data in the UK.')
param location string = resourceGroup().location

@description('A short lower-case word that starts every resource name.')
@minLength(2)
@maxLength(10)
param namePrefix string = 'casework'

@description('The function app name; it becomes part of the app\'s address, so it must be unique in Azure.')
@minLength(2)
@maxLength(40)
param appName string = toLower('${namePrefix}-${uniqueString(resourceGroup().id)}')

@description('The storage account name: 3-24 lower-case letters and digits, unique in Azure.')
@minLength(3)
@maxLength(24)
param storageAccountName string = toLower('st${replace(namePrefix, '-', '')}${take(uniqueString(resourceGroup().id), 10)}')

@description('Memory of each instance, in MB. 2048 is plenty for document generation.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('The most instances the app may scale out to. Few are needed; Microsoft Graph throttles a busy app anyway.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('SHAREPOINT_SITE: the site the product lives in, e.g. https://contoso.sharepoint.com/sites/attendance.')
param sharePointSite string

@description('SHAREPOINT_LA_SITE: the LA\'s (or trust\'s) own site with the Schools list, one item per school and its site; empty for a single school in SHAREPOINT_SITE.')
param laSite string = ''

@description('GRAPH_BASE_URL: Microsoft Graph. Change only for a national cloud.')
param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'

@description('CASEWORK_PROTECTIVE_MARKING: a line at the top of every document, e.g. OFFICIAL-SENSITIVE; empty for none.')
param protectiveMarking string = ''

@description('CASEWORK_PROFILE: the policy profile for cases that name none; empty means national-2024.')
param policyProfile string = ''

@description('CASEWORK_FOLDER_PATTERN: where each case\'s documents are filed in the Case Files library.')
param folderPattern string = '{school}/{case_ref} {surname}, {forename}'

@description('CASEWORK_TEMPLATES_DIR: a folder of the LA\'s own templates, inside the published code (relative to the app root); empty to use only the shipped ones.')
param templatesDir string = ''

@description('CASEWORK_LOGO: a PNG or JPEG for the letterhead, inside the published code (relative to the app root); empty for none.')
param logo string = ''

@description('CASEWORK_CLIENT_STATE: the shared secret Microsoft Graph sends back with every change notification; at least 32 random characters, at most 128.')
@secure()
@minLength(32)
@maxLength(128)
param clientState string

@description('CASEWORK_TEAMS_LA_WEBHOOK: the Teams Workflows webhook (trigger: When a Teams webhook request is received) of the LA officers\' channel (Inclusion / Attendance Improvement Officers); empty for no alerts there.')
@secure()
param teamsLaWebhook string = ''

@description('CASEWORK_TEAMS_SCHOOL_WEBHOOKS: the schools\' Teams Workflows webhooks as JSON, {"School name": "https://..."}, with a "school" entry for schools without their own; empty for none.')
@secure()
param teamsSchoolWebhooks string = ''

@description('CASEWORK_TEAMS_LEGAL_WEBHOOK: the Teams Workflows webhook of the Lead Officer for Legal Intervention\'s channel, told when an evidence bundle is ready; empty to send those cards to the LA officers\' channel.')
@secure()
param teamsLegalWebhook string = ''

@description('CASEWORK_CARDS_SHOW_NAMES: true to show pupils\' full names on Teams cards; false (the default) shows initials and the case reference only.')
param cardsShowNames bool = false

@description('CASEWORK_LEGAL_OFFICERS: the legal officers\' email addresses, comma-separated; each evidence bundle is shared with them, read only, for 90 days, when it is filed. Empty: not shared.')
param legalOfficers string = ''

@description('CASEWORK_RETENTION_LABEL: a Microsoft Purview retention label published to the schools\' sites, applied to every document filed; empty for none.')
param retentionLabel string = ''

@description('CASEWORK_MAILBOX: the shared mailbox letters to parents are emailed from when a school names none in the Schools list; an Exchange administrator must let the app send as it (docs/deployment.md). Empty: letters go by post.')
param mailbox string = ''

@description('CASEWORK_LA_NAME: the local authority\'s name, printed on each penalty notice it issues.')
param laName string = ''

@description('CASEWORK_LA_ADDRESS: the authority\'s postal address, lines separated by ";".')
param laAddress string = ''

@description('CASEWORK_LA_PHONE: the penalty notice officers\' phone number.')
param laPhone string = ''

@description('CASEWORK_LA_EMAIL: the penalty notice officers\' email address.')
param laEmail string = ''

@description('CASEWORK_PENALTY_HOW_TO_PAY: how and where a parent pays a penalty notice, in the LA\'s own words.')
param penaltyHowToPay string = ''

@description('Tags for every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------

var token = uniqueString(resourceGroup().id, appName)
// Flex Consumption runs the package it finds in this container.
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(token, 7)}'
// The queue trigger's queue (function_app/triggers/support.py: CHANGES_QUEUE); the
// Functions host moves a message to <queue>-poison after its last failed attempt.
var changesQueueName = 'process-list-changes'
// function_app/adapters/state/tables.py: tables <prefix>Claims, Links and Facts, prefix
// "casework". It creates them on first use too; making them here shows them from day one.
var stateTables = [
  'caseworkClaims'
  'caseworkLinks'
  'caseworkFacts'
]

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// ---------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------

// One identity for everything the app reaches: Graph (by app role + site grant, given by an
// admin afterwards) and this storage account (by the role assignments below).
resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${appName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${appName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Telemetry only from Entra identities (the app's), not from anyone holding the key.
    DisableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    // The Functions host and the deployment use the managed identity (no key). The state
    // store is the exception: TableStateStore takes only a connection string with the
    // account key (CASEWORK_STATE_CONNECTION below), so shared-key access must stay on
    // until it accepts the identity; then set this to false and drop that setting's key.
    allowSharedKeyAccess: true
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource deployment 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queues 'queueServices' = {
    name: 'default'

    resource changes 'queues' = {
      name: changesQueueName
    }

    // The Functions host moves a message here after its last failed attempt.
    resource poison 'queues' = {
      name: '${changesQueueName}-poison'
    }
  }

  resource tables 'tableServices' = {
    name: 'default'

    resource state 'tables' = [for table in stateTables: {
      name: table
    }]
  }
}

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Not used while the state store signs with the account key; ready for when it uses the identity.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appIdentity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, appIdentity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------
// The function app
// ---------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${appName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${appIdentity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: appIdentity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
  dependsOn: [
    // The host reads its storage as the identity from the first start.
    blobOwner
    queueContributor
    tableContributor
  ]

  // Every app setting, in one place. The Python side reads the CASEWORK_*, SHAREPOINT_*,
  // GRAPH_* and AZURE_* names (function_app/settings.py); tests/deployment checks that each
  // setting it reads in Azure is here. Not here on purpose: GRAPH_DEV_TOKEN (only ever for
  // the local dev tenant), GRAPH_CERTIFICATE_PATH (Azure uses the managed identity) and
  // CASEWORK_STATE (the SQLite file, used only when CASEWORK_STATE_CONNECTION is unset).
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // The Functions host's own storage, by identity: no connection string, no key.
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: appIdentity.properties.clientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${appIdentity.properties.clientId};Authorization=AAD'
      // The worker imports this file at the app root; a function_app.py would be shadowed
      // by the function_app/ package (docs/design notes).
      PYTHON_SCRIPT_FILE_NAME: 'casework_functions.py'

      // Microsoft Graph and SharePoint
      SHAREPOINT_SITE: sharePointSite
      SHAREPOINT_LA_SITE: laSite
      GRAPH_BASE_URL: graphBaseUrl
      AZURE_CLIENT_ID: appIdentity.properties.clientId
      AZURE_TENANT_ID: tenant().tenantId

      // Change notifications: Graph posts to the app's HTTP trigger and sends the client
      // state back, which the trigger checks.
      CASEWORK_NOTIFICATION_URL: 'https://${functionApp.properties.defaultHostName}/api/notifications'
      CASEWORK_CLIENT_STATE: clientState

      // State (delta links, claims, facts) in Table storage. The one key in these settings:
      // see allowSharedKeyAccess above.
      CASEWORK_STATE_CONNECTION: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'

      // Documents
      CASEWORK_PROTECTIVE_MARKING: protectiveMarking
      CASEWORK_PROFILE: policyProfile
      CASEWORK_FOLDER_PATTERN: folderPattern
      CASEWORK_TEMPLATES_DIR: templatesDir
      CASEWORK_LOGO: logo

      // Teams alerts: Workflows webhooks, one per audience (Office 365 connectors are retired).
      // Their addresses carry a signature: secrets, like the client state.
      CASEWORK_TEAMS_LA_WEBHOOK: teamsLaWebhook
      CASEWORK_TEAMS_SCHOOL_WEBHOOKS: teamsSchoolWebhooks
      CASEWORK_TEAMS_LEGAL_WEBHOOK: teamsLegalWebhook
      CASEWORK_CARDS_SHOW_NAMES: string(cardsShowNames)

      // Legal referral and records: who each evidence bundle is shared with, and the
      // retention label every filed document is given.
      CASEWORK_LEGAL_OFFICERS: legalOfficers
      CASEWORK_RETENTION_LABEL: retentionLabel

      // Letters to parents: the mailbox they are emailed from.
      CASEWORK_MAILBOX: mailbox

      // Penalty notices: the LA's own details, printed on each notice it issues.
      CASEWORK_LA_NAME: laName
      CASEWORK_LA_ADDRESS: laAddress
      CASEWORK_LA_PHONE: laPhone
      CASEWORK_LA_EMAIL: laEmail
      CASEWORK_PENALTY_HOW_TO_PAY: penaltyHowToPay
    }
  }
}

// ---------------------------------------------------------------------------------------
// Outputs: what the admin needs for the next steps (none of them is a secret)
// ---------------------------------------------------------------------------------------

@description('The function app, for `func azure functionapp publish`.')
output functionAppName string = functionApp.name

@description('Where Microsoft Graph sends change notifications.')
output notificationUrl string = 'https://${functionApp.properties.defaultHostName}/api/notifications'

@description('The managed identity\'s client (application) id: the id to grant Sites.Selected write to on the site.')
output identityClientId string = appIdentity.properties.clientId

@description('The managed identity\'s object (principal) id: the principalId of the Graph app role assignment.')
output identityPrincipalId string = appIdentity.properties.principalId

@description('The storage account.')
output storageAccountName string = storage.name
