import { defineInputFields, defineSearch, type InferInputData, type SearchPerform } from 'zapier-platform-core';
import { rememberTemplateNames } from '../approvals/record/lookup';
import { getProcessCodeByName } from '../dingtalk/workflow';
import { readInputs } from '../lib/inputs';
import sample from '../samples/template.json';
import { outputFields } from '../zapier/output-fields';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const inputFields = defineInputFields([
  {
    key: 'name',
    label: 'Template Name',
    required: true,
    helpText: 'The approval template\'s exact name as shown in DingTalk, e.g. Expense Claim (HKD). Costs one metered DingTalk call.',
  },
]);

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const name = input.required('name', 'Template Name');
  input.done();
  const code = await getProcessCodeByName(zapierTransport(z, bundle, 'search'), name);
  if (!code) return [];
  // Approval records then name their template without another call.
  await rememberTemplateNames(zapierStore(z), [{ processCode: code, name }]);
  return [{ id: code, code, name }];
}) satisfies SearchPerform<InferInputData<typeof inputFields>>;

export default defineSearch({
  key: 'find_template',
  noun: 'Template',
  display: {
    label: 'Find Template',
    description: 'Finds an approval template by its exact name.',
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: outputFields([
      ['id', 'Template Code', 'string', 'required'],
      ['code', 'Template Code (Process Code)'],
      ['name', 'Template Name'],
    ]),
  },
});
