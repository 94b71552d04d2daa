import { defineInputFields, defineSearch, type InferInputData, type SearchPerform } from 'zapier-platform-core';
import { DEFAULT_FIND_LOOK_BACK_DAYS, findApproval, findApprovalInput, MAX_DETAIL_FETCHES, MAX_LIST_CALLS } from '../approvals/record/find';
import { loadApprovalRecord } from '../hydrators';
import sample from '../samples/approval.json';
import { templateField } from '../zapier/fields';
import { approvalOutputFields } from '../zapier/output-fields';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const inputFields = defineInputFields([
  templateField(
    false,
    'The approval\'s template: needed to search by Business ID. With Approval ID it only fills Template Code and Template Name ' +
      'in the result (DingTalk\'s approval details do not name their template).',
  ),
  {
    key: 'approvalId',
    label: 'Approval ID',
    required: false,
    dynamic: 'new_approval.id.title',
    helpText:
      'Map the approval ID from a DingTalk trigger, or pick a Template above to choose from its recent approvals. ' +
      'Costs one metered DingTalk call.',
  },
  {
    key: 'businessId',
    label: 'Business ID',
    required: false,
    helpText:
      'The approval number (审批编号) shown on the approval, used when Approval ID is empty. DingTalk cannot search by it, so this ' +
      `reads the template's approvals submitted in the look-back period one by one, at most ${MAX_DETAIL_FETCHES}: at worst ` +
      `about ${MAX_DETAIL_FETCHES + MAX_LIST_CALLS} metered DingTalk calls (the free edition allows 5,000 a month). Approvals the ` +
      'approval triggers have seen recently cost nothing to read. An approval beyond those is not found.',
  },
  {
    key: 'lookBackDays',
    label: 'Look Back (Days)',
    type: 'integer',
    required: false,
    default: String(DEFAULT_FIND_LOOK_BACK_DAYS),
    helpText: 'For Business ID: how many days back the approval may have been submitted, from 1 to 120 (DingTalk\'s limit).',
  },
]);

const perform = (async (z, bundle) => {
  const input = findApprovalInput(bundle.inputData);
  const found = await findApproval(zapierTransport(z, bundle, 'search'), zapierStore(z), input);
  return found ? [await loadApprovalRecord(z, bundle, found.id, input.processCode ?? null, found.detail)] : [];
}) satisfies SearchPerform<InferInputData<typeof inputFields>>;

export default defineSearch({
  key: 'find_approval',
  noun: 'Approval',
  display: {
    label: 'Find Approval',
    description: 'Finds an approval by its approval ID, or by its business ID within a template.',
  },
  operation: { inputFields, perform: withUserErrors(perform), sample, outputFields: approvalOutputFields },
});
