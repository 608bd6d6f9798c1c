# SPDX-License-Identifier: Apache-2.0
"""What the service's crypto provider can do, asked of the service.

The Python tests use this rather than assume which provider runs (Mbed
Crypto, the TPM provider, or another service's): the provider's id, UUID
and ListOpcodes, asked through the library (from_client) or through
parsec-glib-tool's JSON (from_tool), and the typed errors a provider gives
for what it cannot do.
"""

CORE = 0
MBED_CRYPTO = 1
TPM = 3

# Opcodes the tests ask about (PROTOCOL.md)
PSA_EXPORT_KEY = 0x0C
PSA_HASH_COMPUTE = 0x0F
PSA_AEAD_ENCRYPT = 0x11
PSA_RAW_KEY_AGREEMENT = 0x13


class ServiceProvider:
    """The first crypto provider the service lists."""

    def __init__(self, provider_id, uuid, opcodes):
        self.id = provider_id
        self.uuid = uuid
        self.opcodes = set(opcodes)

    @classmethod
    def from_client(cls, client):
        """Asks through a Parsec.Client."""
        from gi.repository import Parsec
        providers = [p for p in client.list_providers(None) if int(p.get_id()) != CORE]
        if not providers:
            raise AssertionError('the service lists no crypto provider')
        provider_id = Parsec.Provider(int(providers[0].get_id()))
        return cls(provider_id, providers[0].get_uuid(), client.list_opcodes(provider_id, None))

    @classmethod
    def from_tool(cls, tool_json):
        """Asks through parsec-glib-tool: @tool_json runs it with the
        arguments given and returns its decoded --json output."""
        providers = [p for p in tool_json('list-providers') if p['id'] != CORE]
        if not providers:
            raise AssertionError('the service lists no crypto provider')
        provider_id = providers[0]['id']
        opcodes = tool_json('list-opcodes', '-p', str(provider_id))['opcodes']
        return cls(provider_id, providers[0]['uuid'], [o['opcode'] for o in opcodes])

    def offers(self, opcode):
        return int(opcode) in self.opcodes

    @property
    def is_tpm(self):
        return int(self.id) == TPM


def is_provider_limit(error):
    """Whether @error (a GLib.Error) is a provider's typed refusal: the TPM
    provider answers PsaErrorNotSupported or PsaErrorInvalidArgument for
    keys it takes no parameters for, PsaErrorCommunicationFailure where
    its TPM answers TPM_RC_VALUE or TPM_RC_FAILURE; the library refuses an
    operation the provider does not list itself."""
    from gi.repository import Parsec
    limits = (Parsec.Error.PSA_NOT_SUPPORTED, Parsec.Error.PSA_INVALID_ARGUMENT,
              Parsec.Error.PSA_COMMUNICATION_FAILURE, Parsec.Error.NOT_SUPPORTED_BY_PROVIDER)
    return error.matches(Parsec.error_quark(), error.code) and error.code in [int(c) for c in limits]
