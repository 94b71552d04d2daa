import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { zapierStore } from '../zapier/store';
import { byPath, loadDepartments } from '../contacts/departments';
import { zapierTransport } from '../zapier/transport';
import sample from '../samples/department.json';

/** Free contacts calls, walked from the root and cached for 10 minutes (contacts/departments.ts). */
const perform = (async (z, bundle) => {
  const departments = await loadDepartments(zapierTransport(z, bundle, 'dropdown'), zapierStore(z), (message) => z.console.log(message));
  return byPath(departments).map((department) => ({ id: String(department.id), name: department.path }));
}) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'list_departments',
  noun: 'Department',
  display: {
    label: 'List Departments',
    description: 'Triggers when a department is found in the DingTalk contacts; feeds the Department dropdowns.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    perform,
    sample,
    outputFields: [
      { key: 'id', label: 'Department ID', type: 'string', required: true },
      { key: 'name', label: 'Department', type: 'string' },
    ],
  },
});
