import { randomUUID } from 'node:crypto';
import type { DemoUsers, DirectoryRoleName, PrincipalInput, SandboxUser, UserSeed } from './types';

export const DEMO_TENANT_ID = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';
const DOMAIN = 'contoso.onmicrosoft.com';

function person(
  id: string,
  givenName: string,
  surname: string,
  alias: string,
  directoryRoles: readonly DirectoryRoleName[] = [],
): SandboxUser {
  const upn = `${alias}@${DOMAIN}`;
  return Object.freeze({
    id,
    displayName: `${givenName} ${surname}`,
    userPrincipalName: upn,
    mail: upn,
    givenName,
    surname,
    userType: 'Member',
    directoryRoles: Object.freeze([...directoryRoles]),
  });
}

/** A B2B guest's UPN in the host tenant: the home address with `@` turned into `_`, then `#EXT#@` (§3.3, §3.5). */
export const guestUpn = (mail: string): string => `${mail.replace('@', '_')}#EXT#@${DOMAIN}`;

function guest(id: string, givenName: string, surname: string, company: string, mail: string): SandboxUser {
  return Object.freeze({
    id,
    displayName: `${givenName} ${surname} (${company})`,
    userPrincipalName: guestUpn(mail),
    mail,
    givenName,
    surname,
    userType: 'Guest',
    directoryRoles: Object.freeze([]),
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

/**
 * Colleagues who request things in the demo tenant but are not Playground users. Diego Siciliani is the
 * tenant's Identity Governance Administrator: he reviews and approves nothing, so he shows what an admin
 * (and only an admin) may read and do with access reviews (graph-contract.md §2.4, §4).
 */
export const DEMO_COLLEAGUES = Object.freeze({
  diego: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e11', 'Diego', 'Siciliani', 'DiegoS', [
    'Identity Governance Administrator',
  ]),
  grady: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e12', 'Grady', 'Archie', 'GradyA'),
  johanna: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e13', 'Johanna', 'Lorenz', 'JohannaL'),
  lee: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e14', 'Lee', 'Gu', 'LeeG'),
  miriam: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e15', 'Miriam', 'Graham', 'MiriamG'),
  nestor: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e16', 'Nestor', 'Wilke', 'NestorW'),
  pradeep: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e17', 'Pradeep', 'Gupta', 'PradeepG'),
  joni: person('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e18', 'Joni', 'Sherman', 'JoniS'),
});

/** External people invited as B2B guests; they request access and are reviewed like members. */
export const DEMO_GUESTS = Object.freeze({
  kat: guest(
    '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e21',
    'Kat',
    'Larsson',
    'Fabrikam',
    'kat.larsson@fabrikam.example',
  ),
  ravi: guest(
    '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e22',
    'Ravi',
    'Patel',
    'Northwind',
    'ravi.patel@northwind.example',
  ),
  sofia: guest(
    '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e23',
    'Sofia',
    'Moreno',
    'Tailspin',
    'sofia.moreno@tailspin.example',
  ),
  ben: guest(
    '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e24',
    'Ben',
    'Walters',
    'Fabrikam',
    'ben.walters@fabrikam.example',
  ),
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
    for (const user of [
      ...Object.values(DEMO_USERS),
      ...Object.values(DEMO_COLLEAGUES),
      ...Object.values(DEMO_GUESTS),
    ])
      this.users.set(user.id, user);
  }

  get(id: string): SandboxUser | undefined {
    return this.users.get(id.toLowerCase());
  }

  add(input: UserSeed): SandboxUser {
    const id = (input.id ?? randomUUID()).toLowerCase();
    const isGuest = input.userType === 'Guest';
    if (isGuest && !input.mail?.includes('@'))
      throw new Error(`sandbox seed: guest ${input.displayName} needs their own mail address`);
    // "Kat Larsson (Fabrikam)": the company in parentheses is part of the display name only.
    const [given = input.displayName, ...rest] = input.displayName.replace(/\s*\(.*\)\s*$/, '').split(' ');
    const upn =
      input.userPrincipalName ??
      (isGuest && input.mail
        ? guestUpn(input.mail)
        : `${input.displayName.replace(/[^A-Za-z0-9]/g, '')}@${DOMAIN}`);
    const user: SandboxUser = Object.freeze({
      id,
      displayName: input.displayName,
      userPrincipalName: upn,
      mail: input.mail ?? upn,
      givenName: input.givenName ?? given,
      surname: input.surname ?? rest.join(' '),
      userType: input.userType ?? 'Member',
      directoryRoles: Object.freeze([...(input.directoryRoles ?? [])]),
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
        userType: user.userType,
      };
    }
    const isGuest = input.userType === 'Guest';
    const alias = input.displayName.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    const upn =
      input.userPrincipalName ??
      (isGuest ? guestUpn(input.mail ?? `${alias}@external.example`) : `${alias}@${DOMAIN}`);
    return {
      id: (input.id ?? randomUUID()).toLowerCase(),
      displayName: input.displayName,
      userPrincipalName: upn,
      mail: input.mail ?? null,
      userType: input.userType ?? 'Member',
    };
  }
}
