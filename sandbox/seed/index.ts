/** A fresh state: the app, the organisation and (unless `seed` is false) its people, templates and approvals. */
import { randomBytes } from 'node:crypto';
import type { State } from '../state';
import { seedInstances } from './instances';
import { APP, ORG, departments, users } from './org';
import { templates } from './templates';

export function freshState(now: number, seed: boolean): State {
  const state: State = {
    version: 1,
    secret: randomBytes(32).toString('hex'),
    clockOffsetMs: 0,
    app: { ...APP },
    org: { ...ORG },
    users: seed ? structuredClone(users) : [],
    departments: seed ? structuredClone(departments) : [{ deptId: 1, name: ORG.name }],
    templates: seed ? templates() : [],
    instances: {},
    files: {},
    tokens: {},
    messages: [],
    meter: { metered: 0, free: 0, byEndpoint: {} },
    counters: { instance: 0, task: 0, file: 0, message: 0 },
  };
  if (seed) seedInstances(state, now);
  return state;
}
