// Sends one visitor's journey through @segment/analytics-node to a running revloop.
// Usage: REVLOOP_HOST=http://localhost:8000 REVLOOP_WRITE_KEY=rl_… node send.mjs
import { Analytics } from '@segment/analytics-node'

const host = process.env.REVLOOP_HOST
const writeKey = process.env.REVLOOP_WRITE_KEY
// One batch on close, so the calls reach revloop together and in this order.
const analytics = new Analytics({ writeKey, host, maxEventsInBatch: 50, flushInterval: 60000, maxRetries: 0 })
const answers = []
analytics.on('http_request', (request) => answers.push(request.url))
analytics.on('error', (error) => {
  console.error(JSON.stringify({ error: String(error.reason ?? error.message ?? error), code: error.code }))
  process.exitCode = 1
})

const campaign = { name: 'autumn-webinar', source: 'newsletter', medium: 'email' }
analytics.page({
  anonymousId: 'node-device-1',
  name: 'Pricing',
  properties: { url: 'https://acme.example/pricing?utm_campaign=autumn-webinar' },
  context: { campaign, page: { url: 'https://acme.example/pricing', referrer: 'https://news.example/' } },
})
analytics.track({ anonymousId: 'node-device-1', event: 'Content Downloaded', messageId: 'journey-download-1', properties: { asset: 'roi-calculator.xlsx' } })
analytics.track({ anonymousId: 'old-laptop', event: 'Webinar Attended', messageId: 'journey-webinar-1' })
analytics.identify({ anonymousId: 'old-laptop', traits: { email: 'g.hopper@navy.example' } })
analytics.identify({ anonymousId: 'node-device-1', userId: 'crm-42', traits: { email: 'grace@hopper.example', firstName: 'Grace', title: 'Rear Admiral' } })
analytics.track({ userId: 'crm-42', event: 'Demo Requested', messageId: 'journey-demo-1' })
analytics.group({ userId: 'crm-42', groupId: 'org-9', traits: { name: 'Hopper Inc', domain: 'hopper.example' } })
analytics.alias({ previousId: 'old-laptop', userId: 'crm-42' })

await analytics.closeAndFlush({ timeout: 20000 })
console.log(JSON.stringify({ requests: answers.length, url: answers[0] }))
