import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { zapierStore } from '../zapier/store';
import { loadUsers } from '../contacts/users';
import { zapierTransport } from '../zapier/transport';
import user from '../samples/user.json';

/** Free contacts calls over every department, cached for 10 minutes (contacts/users.ts). */
const perform = (async (z, bundle) => {
  const users = await loadUsers(zapierTransport(z, bundle, 'dropdown'), zapierStore(z), (message) => z.console.log(message));
  return users.map(({ id, name, department }) => ({ id, name: `${name} (${department})` }));
}) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'list_users',
  noun: 'User',
  display: {
    label: 'List Users',
    description: 'Triggers when a user is found in the DingTalk contacts; feeds the User dropdowns.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    perform,
    // What perform returns for the user in samples/user.json.
    sample: { id: user.id, name: `${user.name} (${user.department_names[0]})` },
    outputFields: [
      { key: 'id', label: 'User ID', type: 'string', required: true },
      { key: 'name', label: 'Name (Department)', type: 'string' },
    ],
  },
});
