import { defineCreate, defineInputFields, type Bundle, type ZObject } from 'zapier-platform-core';
import { approvalField, checkLength, requiredText, templateField, userField } from '../zapier/actions';
import { InputError } from '../lib/inputs';
import { isoFromMs } from '../lib/time';
import { zapierTransport } from '../dingtalk/transport';
import { addProcessInstanceComment } from '../dingtalk/workflow';
import sample from '../samples/comment.json';
import { asUserErrors } from '../lib/inputs';

const inputFields = defineInputFields([
  templateField,
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

const perform = async (z: ZObject, bundle: Bundle) => {
  const problems: string[] = [];
  const processInstanceId = requiredText(problems, bundle.inputData, 'processInstanceId', 'Approval');
  const commentUserId = requiredText(problems, bundle.inputData, 'commentUserId', 'Commenting User');
  const text = requiredText(problems, bundle.inputData, 'text', 'Text');
  checkLength(problems, 'Text', text);
  if (problems.length > 0) throw new InputError(problems);

  const added = await addProcessInstanceComment(zapierTransport(z, bundle), { processInstanceId, text, commentUserId });
  if (!added) throw new z.errors.Error('DingTalk answered that the comment was not added. Check that the approval still exists and try again.', 'CommentNotAdded', 400);
  return {
    id: processInstanceId,
    approval_id: processInstanceId,
    comment: text,
    comment_user_id: commentUserId,
    commented_at: isoFromMs(Date.now()),
  };
};

export default defineCreate({
  key: 'add_comment',
  noun: 'Comment',
  display: {
    label: 'Add Comment',
    description: 'Creates a comment on a DingTalk approval, posted as a user you choose.',
  },
  operation: {
    inputFields,
    perform: (z: ZObject, bundle: Bundle) => asUserErrors(z, () => perform(z, bundle)),
    sample,
    outputFields: [
      { key: 'id', label: 'ID', type: 'string', required: true },
      { key: 'approval_id', label: 'Approval ID', type: 'string' },
      { key: 'comment', label: 'Comment', type: 'string' },
      { key: 'comment_user_id', label: 'Commenting User ID', type: 'string' },
      { key: 'commented_at', label: 'Commented At', type: 'datetime' },
    ],
  },
});
