import { defineTrigger, type PollingTriggerPerform } from 'zapier-platform-core';
import { rememberTemplateNames } from '../approvals/record/lookup';
import { listAllTemplates, type Template } from '../dingtalk/workflow';
import { cacheKeys, cacheTtlS } from '../lib/cache-keys';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';

const MAX_TEMPLATES = 500;

/** Template lists are metered calls: one dropdown load is reused for 10 minutes. */
const perform = (async (z, bundle) => {
  const store = zapierStore(z);
  let templates = await store.get<Template[]>(cacheKeys.templates);
  if (!templates) {
    templates = (await listAllTemplates(zapierTransport(z, bundle, 'dropdown'), {}, MAX_TEMPLATES)).items;
    await store.set(cacheKeys.templates, templates, cacheTtlS.templates);
    await rememberTemplateNames(store, templates);
  }
  return templates.map((template) => ({
    id: template.processCode,
    name: template.dirName ? `${template.name} (${template.dirName})` : template.name,
  }));
}) satisfies PollingTriggerPerform;

export default defineTrigger({
  key: 'list_templates',
  noun: 'Template',
  display: {
    label: 'List Approval Templates',
    description: 'Triggers when a new approval template is found; feeds the Template dropdowns.',
    hidden: true,
  },
  operation: {
    type: 'polling',
    perform,
    sample: { id: 'PROC-EXPENSE-HK-0001', name: 'Expense Claim (HKD) (Finance)' },
    outputFields: [
      { key: 'id', label: 'Template Code', type: 'string' },
      { key: 'name', label: 'Template Name', type: 'string' },
    ],
  },
});
