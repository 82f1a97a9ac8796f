import type { ConversationType, TeamsMember } from './teams-types.js';

// A small Contoso-style tenant so a demo works out of the box. Ids imitate Teams' formats: user MRIs
// `29:1…`, the bot `28:{appId}`, personal chats `a:1…`, channels `19:…@thread.tacv2`, group chats
// `19:…@thread.v2` (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
// send-proactive-messages). The team's id is its General channel's id, as in Teams.

export const DEFAULT_TENANT_ID = 'ebf9a53a-be01-466c-9fbe-e40e486d9a6b';
export const DEFAULT_BOT_APP_ID = '3e293b55-0bd4-43ee-9993-e68e2c9ac695';
export const DEFAULT_BOT_NAME = 'Lightdesk';

export interface SeedUser {
  readonly name: string;
  readonly givenName: string;
  readonly surname: string;
  readonly aadObjectId: string;
  readonly mri: string;
  readonly userPrincipalName: string;
  readonly personalConversationId: string;
}

export interface SeedConversation {
  readonly id: string;
  readonly conversationType: ConversationType;
  readonly name?: string;
  readonly teamId?: string;
  readonly memberAadObjectIds: readonly string[];
}

export interface BotConnectorSeed {
  readonly tenantId: string;
  readonly bot: { readonly id: string; readonly name: string; readonly appId: string };
  readonly users: {
    readonly adele: SeedUser;
    readonly alex: SeedUser;
    readonly megan: SeedUser;
    /** A Marketing member no routing rule names as a reviewer: presses get the read-only card. */
    readonly diego: SeedUser;
  };
  readonly team: {
    readonly id: string;
    readonly name: string;
    readonly aadGroupId: string;
    readonly generalChannelId: string;
  };
  /** The "Photo reviews" channel of the Marketing team: the conversation cards are posted to. */
  readonly photoReviewsChannel: { readonly id: string; readonly name: string };
  readonly groupChat: { readonly id: string; readonly name: string };
  readonly conversations: readonly SeedConversation[];
}

const DOMAIN = 'contoso.onmicrosoft.com';

function user(
  givenName: string,
  surname: string,
  alias: string,
  aadObjectId: string,
  mriTail: string,
): SeedUser {
  return {
    name: `${givenName} ${surname}`,
    givenName,
    surname,
    aadObjectId,
    mri: `29:1${mriTail}`,
    userPrincipalName: `${alias}@${DOMAIN}`,
    personalConversationId: `a:1${mriTail}Pc${alias}`,
  };
}

export function createSeed(tenantId: string, botAppId: string): BotConnectorSeed {
  const adele = user(
    'Adele',
    'Vance',
    'AdeleV',
    'fd1c0001-f855-4ced-a457-a855155daca6',
    'Ad3LeV4nce9xQ',
  );
  const alex = user(
    'Alex',
    'Wilber',
    'AlexW',
    'b69cf5ce-9016-43fe-bb37-d61040d824be',
    'A1exW1lb3rKz',
  );
  const megan = user(
    'Megan',
    'Bowen',
    'MeganB',
    'd474143d-8716-44b6-83c8-8d48b5737dc3',
    'M3g4nB0w3nTy',
  );
  const diego = user(
    'Diego',
    'Siciliani',
    'DiegoS',
    '3a7e5c2b-8d41-4f6a-9b0e-2c4d6f8a1e35',
    'D13g0S1c1l1an',
  );
  const everyone = [adele, alex, megan, diego].map((u) => u.aadObjectId);
  const generalChannelId = '19:1f881d2e8747407ca0eeaf0a67c7aa09@thread.tacv2';
  const photoReviewsChannel = {
    id: '19:43fe6ea5f3324e339835c83548a489a6@thread.tacv2',
    name: 'Photo reviews',
  };
  const groupChat = { id: '19:3bc784dcc2a7499a913e9770d16ea5f2@thread.v2', name: 'Photo desk' };
  const team = {
    id: generalChannelId,
    name: 'Marketing',
    aadGroupId: '1f874e66-4382-4050-9c49-e842b1b320c8',
    generalChannelId,
  };
  return {
    tenantId,
    bot: { id: `28:${botAppId}`, name: DEFAULT_BOT_NAME, appId: botAppId },
    users: { adele, alex, megan, diego },
    team,
    photoReviewsChannel,
    groupChat,
    conversations: [
      {
        id: generalChannelId,
        conversationType: 'channel',
        name: 'General',
        teamId: team.id,
        memberAadObjectIds: everyone,
      },
      {
        id: photoReviewsChannel.id,
        conversationType: 'channel',
        name: photoReviewsChannel.name,
        teamId: team.id,
        memberAadObjectIds: everyone,
      },
      {
        id: groupChat.id,
        conversationType: 'groupChat',
        name: groupChat.name,
        memberAadObjectIds: everyone,
      },
      ...[adele, alex, megan, diego].map((u): SeedConversation => ({
        id: u.personalConversationId,
        conversationType: 'personal',
        memberAadObjectIds: [u.aadObjectId],
      })),
    ],
  };
}

export function seedUsers(seed: BotConnectorSeed): readonly SeedUser[] {
  return [seed.users.adele, seed.users.alex, seed.users.megan, seed.users.diego];
}

export function toTeamsMember(u: SeedUser, tenantId: string): TeamsMember {
  return {
    id: u.mri,
    name: u.name,
    aadObjectId: u.aadObjectId,
    givenName: u.givenName,
    surname: u.surname,
    email: u.userPrincipalName,
    userPrincipalName: u.userPrincipalName,
    tenantId,
    userRole: 'user',
  };
}
