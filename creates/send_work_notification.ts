import { defineCreate, defineInputFields, type Bundle, type CreatePerform, type InferInputData } from 'zapier-platform-core';
import { DEVELOPER_CONSOLE_URL as CONSOLE_URL } from '../dingtalk/endpoints';
import {
  MAX_DEPARTMENTS,
  MAX_MESSAGE_BYTES,
  MAX_USERS,
  sendWorkNotification,
  type WorkNotificationMessage,
} from '../dingtalk/message';
import { isChoice, quote, readInputs, textOf } from '../lib/inputs';
import { isoFromMs } from '../lib/time';
import sample from '../samples/notification.json';
import { usersField } from '../zapier/fields';
import { outputFields } from '../zapier/output-fields';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

const MESSAGE_TYPES = { text: 'Text', markdown: 'Markdown', link: 'Link' } as const;
type MessageType = keyof typeof MESSAGE_TYPES;

const inputFields = defineInputFields([
  usersField('userIds', 'Users', 'DingTalk users to notify, at most 100. Fill in Users, Departments or both.'),
  {
    key: 'deptIds',
    label: 'Departments',
    required: false,
    list: true,
    dynamic: 'list_departments.id.name',
    helpText: 'Departments to notify, at most 20. Everyone in a department and its sub-departments receives the notification.',
  },
  { key: 'msgType', label: 'Message Type', required: true, default: 'text', choices: MESSAGE_TYPES, helpText: 'Text is plain; Markdown allows headings, bold and links; Link shows a card that opens Link URL.' },
  { key: 'title', label: 'Title', required: false, helpText: 'Required for Markdown and Link: the line shown in the chat list (Markdown) or the card title (Link). Not used for Text.' },
  {
    key: 'content',
    label: 'Message',
    required: true,
    type: 'text',
    helpText:
      'The notification, sent by your DingTalk app as a work notification (工作通知). The whole message must fit in 2,048 bytes: ' +
      'about 680 Chinese characters or 2,000 English letters. DingTalk silently drops identical content sent to the same person ' +
      'more than once a day, and anything above 500 notifications per person per day.',
  },
  { key: 'messageUrl', label: 'Link URL', required: false, helpText: 'Required for Link: the https:// page the card opens.' },
  {
    key: 'picUrl',
    label: 'Image',
    required: false,
    helpText: "Required for Link (DingTalk's link card needs a picture): an image's https:// URL, or a media ID from DingTalk's upload media API (it starts with @).",
  },
]);

function isHttpsUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The `msg` object for the chosen type, noting what that type is missing. */
function messageOf(input: Input, type: MessageType): WorkNotificationMessage {
  const { problems } = input;
  const text = input.required('content', 'Message');
  if (type === 'text') return { msgtype: 'text', text: { content: text } };
  const title = input.text('title');
  if (!title) problems.push(`Title is required for ${MESSAGE_TYPES[type]} messages`);
  if (type === 'markdown') return { msgtype: 'markdown', markdown: { title, text } };
  const messageUrl = input.text('messageUrl');
  if (!isHttpsUrl(messageUrl)) problems.push(messageUrl ? `Link URL must be an https:// address, not ${quote(messageUrl)}` : 'Link URL is required for Link messages');
  const picUrl = input.text('picUrl');
  if (!picUrl) problems.push("Image is required for Link messages: DingTalk's link card needs a picture (picUrl)");
  else if (!picUrl.startsWith('@') && !isHttpsUrl(picUrl)) problems.push(`Image must be an https:// address or a DingTalk media ID starting with @, not ${quote(picUrl)}`);
  return { msgtype: 'link', link: { title, text, messageUrl, picUrl } };
}

type Input = ReturnType<typeof readInputs<InferInputData<typeof inputFields>>>;

/** Every check DingTalk's asyncsend_v2 makes that we can make first, all reported together. */
function notificationInput(bundle: Bundle<InferInputData<typeof inputFields>>) {
  const input = readInputs(bundle.inputData);
  const { problems } = input;
  const agentId = textOf(bundle.authData.agentId);
  if (!/^\d+$/.test(agentId)) {
    problems.push(
      `${agentId ? `The connection's Agent ID "${agentId}" is not a number` : 'The DingTalk connection has no Agent ID'}. ` +
        `Work notifications are sent as your app, so edit the connection and enter its AgentId, found in the DingTalk developer console (${CONSOLE_URL}) under your app → Credentials & Basic Info`,
    );
  }
  // A mapped "a,b" counts as two ids: commas are DingTalk's own separator here.
  const userIds = input.list('userIds', { splitItems: true });
  const deptIds = input.list('deptIds', { splitItems: true });
  if (userIds.length === 0 && deptIds.length === 0) problems.push('Add at least one user or department to notify');
  if (userIds.length > MAX_USERS) problems.push(`Users lists ${userIds.length} users; DingTalk accepts at most ${MAX_USERS} per notification`);
  if (deptIds.length > MAX_DEPARTMENTS) problems.push(`Departments lists ${deptIds.length} departments; DingTalk accepts at most ${MAX_DEPARTMENTS} per notification`);
  const badDepts = deptIds.filter((id) => !/^\d+$/.test(id));
  if (badDepts.length > 0) problems.push(`Departments must be DingTalk department IDs (numbers), not ${badDepts.map(quote).join(', ')}`);

  const type = input.text('msgType') || 'text';
  if (!isChoice(MESSAGE_TYPES, type)) problems.push(`Message Type must be text, markdown or link, not ${quote(type)}`);
  const msg = messageOf(input, isChoice(MESSAGE_TYPES, type) ? type : 'text');
  const bytes = Buffer.byteLength(JSON.stringify(msg), 'utf8');
  if (bytes > MAX_MESSAGE_BYTES) {
    problems.push(`The message is ${bytes.toLocaleString('en-US')} bytes once encoded; DingTalk accepts at most ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} (a Chinese character takes 3 bytes). Shorten it by ${(bytes - MAX_MESSAGE_BYTES).toLocaleString('en-US')} bytes`);
  }
  input.done();
  return { agentId: Number(agentId), userIds, deptIds, msg };
}

const perform = (async (z, bundle) => {
  const { agentId, userIds, deptIds, msg } = notificationInput(bundle);
  const taskId = await sendWorkNotification(zapierTransport(z, bundle, 'action'), { agentId, userIds, deptIds: deptIds.map(Number), msg });
  return { id: String(taskId), task_id: taskId, message_type: msg.msgtype, user_ids: userIds, department_ids: deptIds, sent_at: isoFromMs(Date.now()) };
}) satisfies CreatePerform<InferInputData<typeof inputFields>>;

export default defineCreate({
  key: 'send_work_notification',
  noun: 'Notification',
  display: {
    label: 'Send Work Notification',
    description: 'Creates a DingTalk work notification from your app and sends it to the users and departments you choose. ' +
      "Costs one metered DingTalk call of the organisation's monthly quota.",
  },
  operation: {
    inputFields,
    perform: withUserErrors(perform),
    sample,
    outputFields: outputFields([
      ['id', 'ID', 'string', 'required'],
      ['task_id', 'Task ID', 'integer'],
      ['message_type', 'Message Type'],
      ['user_ids', 'User IDs', 'string', 'list'],
      ['department_ids', 'Department IDs', 'string', 'list'],
      ['sent_at', 'Sent At', 'datetime'],
    ]),
  },
});
