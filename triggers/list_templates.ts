import { defineTrigger, type Bundle, type ZObject } from 'zapier-platform-core';
import { rememberTemplateNames } from '../approvals/record/lookup';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { listAllTemplates, type Template } from '../dingtalk/workflow';

/** Template lists are metered calls: one dropdown load is reused for 10 minutes. */
const CACHE_KEY = 'dingtalk:templates:v1';
const CACHE_TTL_S = 600;
const MAX_TEMPLATES = 500;

const perform = async (z: ZObject, bundle: Bundle) => {
  const store = zapierStore(z);
  let templates = await store.get<Template[]>(CACHE_KEY);
  if (!templates) {
    templates = (await listAllTemplates(zapierTransport(z, bundle), {}, MAX_TEMPLATES)).items;
    await store.set(CACHE_KEY, templates, CACHE_TTL_S);
    await rememberTemplateNames(store, templates);
  }
  return templates.map((template) => ({
    id: template.processCode,
    name: template.dirName ? `${template.name} (${template.dirName})` : template.name,
  }));
};

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
