import { randomUUID } from 'node:crypto';
import type { DemoUsers, PrincipalInput, SandboxUser, UserSeed } from './types';

export const DEMO_TENANT_ID = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';
const DOMAIN = 'contoso.onmicrosoft.com';

function person(id: string, givenName: string, surname: string, alias: string): SandboxUser {
  const upn = `${alias}@${DOMAIN}`;
  return Object.freeze({
    id,
    displayName: `${givenName} ${surname}`,
    userPrincipalName: upn,
    mail: upn,
    givenName,
    surname,
  });
}

/** The Agents Playground's people, with real GUIDs (.m365agentsplayground.yml carries the same ids). */
export const DEMO_USERS: DemoUsers = Object.freeze({
  alex: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01', 'Alex', 'Wilber', 'AlexW'),
  megan: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e02', 'Megan', 'Bowen', 'MeganB'),
  adele: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e03', 'Adele', 'Vance', 'AdeleV'),
  isaiah: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e04', 'Isaiah', 'Langer', 'IsaiahL'),
  patti: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e05', 'Patti', 'Fernandez', 'PattiF'),
  lynne: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e06', 'Lynne', 'Robbins', 'LynneR'),
});

/** Colleagues who request things in the demo tenant but are not Playground users. */
export const DEMO_COLLEAGUES = Object.freeze({
  diego: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e11', 'Diego', 'Siciliani', 'DiegoS'),
  grady: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e12', 'Grady', 'Archie', 'GradyA'),
  johanna: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e13', 'Johanna', 'Lorenz', 'JohannaL'),
  lee: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e14', 'Lee', 'Gu', 'LeeG'),
  miriam: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e15', 'Miriam', 'Graham', 'MiriamG'),
  nestor: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e16', 'Nestor', 'Wilke', 'NestorW'),
  pradeep: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e17', 'Pradeep', 'Gupta', 'PradeepG'),
  joni: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e18', 'Joni', 'Sherman', 'JoniS'),
});

/** Someone a request or review item is about; guests need not be directory users. */
export interface PrincipalRecord {
  readonly id: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly mail: string | null;
  readonly userType: 'Member' | 'Guest';
}

export class Directory {
  private readonly users = new Map<string, SandboxUser>();

  constructor() {
    for (const user of [...Object.values(DEMO_USERS), ...Object.values(DEMO_COLLEAGUES)])
      this.users.set(user.id, user);
  }

  get(id: string): SandboxUser | undefined {
    return this.users.get(id.toLowerCase());
  }

  add(input: UserSeed): SandboxUser {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const [given = input.displayName, ...rest] = input.displayName.split(' ');
    const upn = input.userPrincipalName ?? `${input.displayName.replace(/[^A-Za-z0-9]/g, '')}@${DOMAIN}`;
    const user: SandboxUser = Object.freeze({
      id,
      displayName: input.displayName,
      userPrincipalName: upn,
      mail: input.mail ?? upn,
      givenName: input.givenName ?? given,
      surname: input.surname ?? rest.join(' '),
    });
    this.users.set(id, user);
    return user;
  }

  /** A directory id must exist (a typo in a test seed should fail loudly, not render "unknown"). */
  principal(input: PrincipalInput): PrincipalRecord {
    if (typeof input === 'string') {
      const user = this.get(input);
      if (!user)
        throw new Error(`sandbox seed: no directory user with id ${input}; add one with seed.user()`);
      return {
        id: user.id,
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        mail: user.mail,
        userType: 'Member',
      };
    }
    const guest = input.userType === 'Guest';
    const upn =
      input.userPrincipalName ??
      `${input.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}${guest ? '_external.example#EXT#' : ''}@${DOMAIN}`;
    return {
      id: (input.id ?? randomUUID()).toLowerCase(),
      displayName: input.displayName,
      userPrincipalName: upn,
      mail: input.mail ?? null,
      userType: input.userType ?? 'Member',
    };
  }
}
