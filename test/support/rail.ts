// The tests talk to the partner sandbox through its own control client.
export { Rail, sandboxApiKey, type InspectedCustomer } from '../../sandbox/control-client';
