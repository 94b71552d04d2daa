import { defineInputFields, defineSearch, type Bundle, type ZObject } from 'zapier-platform-core';
import { zapierStore } from '../approvals/store';
import { findUserInput, findUsers, MAX_NAME_MATCHES } from '../contacts/find-user';
import { userOutputFields } from '../contacts/output';
import { zapierTransport } from '../dingtalk/transport';
import sample from '../samples/user.json';
import { asUserErrors } from '../user-errors';

const inputFields = defineInputFields([
  {
    key: 'mobile',
    label: 'Mobile Number',
    required: false,
    helpText:
      'The user\'s mobile number, e.g. +852 5555 0101. Eight-digit numbers without a country code are taken as Hong Kong numbers, ' +
      'eleven-digit numbers starting with 1 as mainland China numbers. Full-width digits (＋８５２…) are read as the same number. Looking up a number is free of DingTalk\'s monthly quota.',
  },
  {
    key: 'name',
    label: 'Name',
    required: false,
    helpText:
      `Used when Mobile Number is empty or matches nobody: the user's name, pinyin or English name. Returns up to ${MAX_NAME_MATCHES} users, ` +
      'best match first. A name search costs one metered DingTalk call.',
  },
  {
    key: 'exactName',
    label: 'Exact Name Match',
    type: 'boolean',
    required: false,
    default: 'true',
    helpText: 'Yes: only users whose name is exactly Name. No: also partial names, pinyin and English names.',
  },
]);

const perform = (z: ZObject, bundle: Bundle) =>
  asUserErrors(z, () => findUsers(zapierTransport(z, bundle), zapierStore(z), findUserInput(bundle.inputData)));

export default defineSearch({
  key: 'find_user',
  noun: 'User',
  display: {
    label: 'Find User',
    description: 'Finds a DingTalk user by mobile number or name.',
  },
  operation: { inputFields, perform, sample, outputFields: userOutputFields },
});
