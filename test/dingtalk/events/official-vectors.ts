/**
 * DingTalk's published HTTP push examples: (token, aes_key, ownerKey, signature, timestamp, nonce, encrypt) →
 * plaintext. Used by the crypto tests and by the relay's HTTP push endpoint tests.
 */
export const officialVectors = [
  {
    // https://open.dingtalk.com/document/development/configure-stream-push, 常见问题 "页面报错“HTTP请求结果校验返回字段值失败”"
    // (KB apolloyyu/kb-dingtalk-open-platform 0003-configure-stream-push, updated 2026-06-08): the DingTalkEncryptor main().
    source: 'docs configure-stream-push FAQ',
    credentials: { token: '123456', aesKey: '1234567890123456789012345678901234567890123', ownerKey: 'dingsnotzck6pm5veliw' },
    envelope: {
      signature: '9a95a004dd16f5c307e849b994173f76aa26e5eb',
      timestamp: '1614767836',
      nonce: 'A7Co0cJLMzIDtMMI',
      encrypt: 'YvkvaGe4hQxd3VxRmEty0dVlnCOAqwf56xwTRHDHoOURqhalbmBJQk5FNcRk42Gl5T0YQXZNwpwWSm1xAFJ5ZA==',
    },
    plaintext: 'success',
  },
  {
    // open-dingtalk/dingtalk-callback-Crypto @fcdbc1b, DingCallbackCrypto3.py, `if __name__ == '__main__'`, second block.
    source: 'dingtalk-callback-Crypto DingCallbackCrypto3.py __main__',
    credentials: { token: 'mryue', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', ownerKey: 'ding6ccabc44d2c8d38b' },
    envelope: {
      signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
      timestamp: '1608001896814',
      nonce: 'WL4PK6yA',
      encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
    },
    plaintext: '{"EventType":"check_url"}',
  },
  {
    // open-dingtalk/dingtalk-callback-Crypto @fcdbc1b, DingTalkCrypto.go, func main().
    source: 'dingtalk-callback-Crypto DingTalkCrypto.go main()',
    credentials: { token: 'tokenxxxx', aesKey: 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus', ownerKey: 'dingxxxxxx' },
    envelope: {
      signature: 'f36f4ba5337d426c7d4bca0dbcb06b3ddc1388fc',
      timestamp: '1605695694141',
      nonce: 'WelUQl6bCqcBa2fM',
      encrypt: 'X1VSe9cTJUMZu60d3kyLYTrBq5578ZRJtteU94wG0Q4Uk6E/wQYeJRIC0/UFW5Wkya1Ihz9oXAdLlyC9TRaqsQ==',
    },
    plaintext: 'success',
  },
];
