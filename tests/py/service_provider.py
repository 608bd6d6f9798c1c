# SPDX-License-Identifier: Apache-2.0
"""What the service's crypto provider can do, asked of the service.

The binding tests use this rather than assume which provider runs (Mbed
Crypto, the TPM provider, or another service's): the provider's id and
its ListOpcodes, and the typed errors a provider gives for what it
cannot do.
"""

import gi
gi.require_version('Parsec', '1')
from gi.repository import GLib, Parsec  # noqa: E402

# How a service refuses what its provider cannot hold or do: the TPM
# provider answers PsaErrorNotSupported or PsaErrorInvalidArgument for
# keys it takes no parameters for, PsaErrorCommunicationFailure where its
# TPM answers TPM_RC_VALUE or TPM_RC_FAILURE; the library refuses an
# operation the provider does not list itself.
PROVIDER_LIMITS = (
    Parsec.Error.PSA_NOT_SUPPORTED,
    Parsec.Error.PSA_INVALID_ARGUMENT,
    Parsec.Error.PSA_COMMUNICATION_FAILURE,
    Parsec.Error.NOT_SUPPORTED_BY_PROVIDER,
)


class ServiceProvider:
    """The first crypto provider the service behind @client lists."""

    def __init__(self, client):
        providers = [p for p in client.list_providers(None) if int(p.get_id()) != 0]
        if not providers:
            raise AssertionError('the service lists no crypto provider')
        self.id = Parsec.Provider(int(providers[0].get_id()))
        self.uuid = providers[0].get_uuid()
        self.opcodes = set(client.list_opcodes(self.id, None))

    def offers(self, opcode):
        return int(opcode) in self.opcodes

    @property
    def is_tpm(self):
        return self.id == Parsec.Provider.TPM


def is_provider_limit(error):
    """Whether @error (a GLib.Error) is a provider's typed refusal."""
    return error.matches(Parsec.error_quark(), error.code) and error.code in [int(c) for c in PROVIDER_LIMITS]
