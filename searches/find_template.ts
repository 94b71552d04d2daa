import { defineInputFields, defineSearch, type Bundle, type ZObject } from 'zapier-platform-core';
import { rememberTemplateNames } from '../approvals/record/lookup';
import { zapierStore } from '../lib/store';
import { zapierTransport } from '../dingtalk/transport';
import { getProcessCodeByName } from '../dingtalk/workflow';
import sample from '../samples/template.json';

const inputFields = defineInputFields([
  {
    key: 'name',
    label: 'Template Name',
    required: true,
    helpText: 'The approval template\'s exact name as shown in DingTalk, e.g. Expense Claim (HKD). Costs one metered DingTalk call.',
  },
]);

const perform = async (z: ZObject, bundle: Bundle) => {
  const name = String(bundle.inputData.name ?? '').trim();
  if (!name) throw new z.errors.Error('Template Name is required.', 'InvalidInput', 400);
  const code = await getProcessCodeByName(zapierTransport(z, bundle), name);
  if (!code) return [];
  // Approval records then name their template without another call.
  await rememberTemplateNames(zapierStore(z), [{ processCode: code, name }]);
  return [{ id: code, code, name }];
};

export default defineSearch({
  key: 'find_template',
  noun: 'Template',
  display: {
    label: 'Find Template',
    description: 'Finds an approval template by its exact name.',
  },
  operation: {
    inputFields,
    perform,
    sample,
    outputFields: [
      { key: 'id', label: 'Template Code', type: 'string', required: true },
      { key: 'code', label: 'Template Code (Process Code)', type: 'string' },
      { key: 'name', label: 'Template Name', type: 'string' },
    ],
  },
});
