import { defineCreate, defineInputFields, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { addProcessInstanceComment, MAX_REMARK_CHARS } from '../dingtalk/workflow';
import { readInputs } from '../lib/inputs';
import { isoFromMs } from '../lib/time';
import sample from '../samples/comment.json';
import { PICK_APPROVAL_HELP } from '../zapier/actions';
import { approvalField, templateField, userField } from '../zapier/fields';
import { outputFields } from '../zapier/output-fields';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const inputFields = defineInputFields([
  templateField(false, PICK_APPROVAL_HELP),
  approvalField,
  userField('commentUserId', 'Commenting User', 'The DingTalk user the comment is posted as. It shows under their name in the approval.'),
  {
    key: 'text',
    label: 'Text',
    required: true,
    type: 'text',
    helpText: 'The comment, at most 1,024 characters. Everyone who can see the approval can read it.',
  },
]);

const perform = (async (z, bundle) => {
  const input = readInputs(bundle.inputData);
  const processInstanceId = input.required('processInstanceId', 'Approval');
  const commentUserId = input.required('commentUserId', 'Commenting User');
  const text = input.required('text', 'Text');
  input.maxLength('Text', text, MAX_REMARK_CHARS);
  input.done();

  const added = await addProcessInstanceComment(zapierTransport(z, bundle, 'action'), { processInstanceId, text, commentUserId });
  if (!added) throw new z.errors.Error('DingTalk answered that the comment was not added. Check that the approval still exists and try again.', 'CommentNotAdded', 400);
  return {
    id: processInstanceId,
    approval_id: processInstanceId,
    comment: text,
    comment_user_id: commentUserId,
    commented_at: isoFromMs(Date.now()),
  };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'add_comment',
  noun: 'Comment',
  display: {
    label: 'Add Comment',
    description: "Creates a comment on a DingTalk approval, posted as a user you choose. Costs one metered DingTalk call of the organisation's monthly quota.",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: outputFields([
      ['id', 'ID', 'string', 'required'],
      ['approval_id', 'Approval ID'],
      ['comment', 'Comment'],
      ['comment_user_id', 'Commenting User ID'],
      ['commented_at', 'Commented At', 'datetime'],
    ]),
  },
});
