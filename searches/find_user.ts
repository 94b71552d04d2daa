import { defineInputFields, defineSearch, type InferInputData, type SearchPerform } from 'zapier-platform-core';
import { findUserInput, findUsers, MAX_NAME_MATCHES } from '../contacts/find-user';
import sample from '../samples/user.json';
import { userOutputFields } from '../zapier/output-fields';
import { zapierStore } from '../zapier/store';
import { zapierTransport } from '../zapier/transport';
import { withUserErrors } from '../zapier/user-errors';

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

const perform = (async (z, bundle) =>
  findUsers(zapierTransport(z, bundle, 'search'), zapierStore(z), findUserInput(bundle.inputData))) satisfies SearchPerform<InferInputData<typeof inputFields>>;

export default defineSearch({
  key: 'find_user',
  noun: 'User',
  display: {
    label: 'Find User',
    description: 'Finds a DingTalk user by mobile number or name.',
  },
  operation: { inputFields, perform: withUserErrors(perform), sample, outputFields: userOutputFields },
});
