/**
 * Input fields several operations share, built in one place so a label, a dropdown or a help text is never
 * written twice. Each factory returns a literal (`as const`), so `InferInputData<typeof inputFields>` still types
 * the step's `bundle.inputData` from its field list.
 */

/** The Template dropdown (list_templates). */
export const templateField = <Required extends boolean, Extra extends { altersDynamicFields?: true } = {}>(
  required: Required,
  helpText: string,
  extra: Extra = {} as Extra,
) => ({ key: 'processCode', label: 'Template', required, dynamic: 'list_templates.id.name', helpText, ...extra }) as const;

/** The approval an action works on: mapped from a trigger or Find Approval, or picked after a Template. */
export const approvalField = {
  key: 'processInstanceId',
  label: 'Approval',
  required: true,
  dynamic: 'new_approval.id.title',
  search: 'find_approval.id',
  helpText:
    'Map the Approval ID from a DingTalk trigger or a Find Approval step. To pick from a list instead, choose a Template above: ' +
    "the list shows its newest approvals by title, originator and date. Loading it costs about one metered DingTalk call, plus one per approval it has not labelled before (at most 10).",
} as const;

/** A DingTalk user, picked from the directory or found by a Find User step. */
export const userField = <Key extends string>(key: Key, label: string, helpText: string) =>
  ({ key, label, required: true, dynamic: 'list_users.id.name', search: 'find_user.id', helpText }) as const;

/** Several DingTalk users, optional. */
export const usersField = <Key extends string>(key: Key, label: string, helpText: string) =>
  ({ key, label, required: false, list: true, dynamic: 'list_users.id.name', search: 'find_user.id', helpText }) as const;

/** One task of the approval, by id: mapped from Approval Waiting Too Long, or from a record's tasks. */
export const taskField = (helpText: string) => ({ key: 'taskId', label: 'Task ID', required: false, type: 'integer', helpText }) as const;

/** An optional remark DingTalk records with the change. */
export const remarkField = (helpText: string) => ({ key: 'remark', label: 'Remark', required: false, type: 'text', helpText }) as const;
