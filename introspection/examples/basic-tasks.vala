// SPDX-License-Identifier: Apache-2.0
//
// basic-tasks.vala: the basic tasks of docs/examples.md, one method each,
// run one after the other against the configured Parsec service.
//
// Usage: basic-tasks FILE SERVER-PEM
// (FILE: any file to sign; SERVER-PEM: a TLS server's certificate and key,
// such as tls-server.pem beside this file)
// Build: valac --pkg parsec-glib-1 -X -DPARSEC_API_SUBJECT_TO_CHANGE basic-tasks.vala
// (create_tls_certificate_async() is in the API that may still change)

// Task: Sign a file and verify the signature
async void sign_and_verify_file (Parsec.Client client, string path) throws Error {
    var key = yield client.generate_key_async ("example-signing",
                                               new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
    var data = yield File.new_for_commandline_arg (path).load_bytes_async (null, null);
    var signature = yield key.sign_data_async (data);
    yield key.verify_data_async (data, signature);
    print ("signed and verified %s\n", path);
}

// Task: Encrypt and decrypt
async void encrypt_and_decrypt (Parsec.Client client) throws Error {
    var oaep = new Parsec.Algorithm.rsa_oaep (Parsec.Hash.SHA_256);
    var key = yield client.generate_key_async ("example-encryption",
                                               new Parsec.KeyAttributes.rsa_encryption (2048, oaep));
    // null: the algorithm of the key's policy, RSA-OAEP with SHA-256
    var ciphertext = yield key.asymmetric_encrypt_async (null, new Bytes ("attack at dawn".data), null);
    var plaintext = yield key.asymmetric_decrypt_async (null, ciphertext, null);
    print ("decrypted: %.*s\n", (int) plaintext.get_size (), (string) plaintext.get_data ());
}

// Task: List keys with their attributes
async void list_keys (Parsec.Client client) throws Error {
    foreach (var key in yield client.list_keys_async ()) {
        var attributes = key.get_attributes ();
        print ("%s: %s, %u bits, %s\n", key.get_name (), attributes.get_key_type ().to_string (),
               attributes.get_bits (), attributes.get_algorithm ().to_string ());
    }
}

// Task: Cancellation and deadlines
async void cancel_and_time_out () throws Error {
    // A deadline: each request of this client fails with
    // IOError.TIMED_OUT after 5 seconds (0: no deadline).
    var client = (Parsec.Client) Object.@new (typeof (Parsec.Client),
                                              "application-name", "org.example.BasicTasks",
                                              "timeout", 5000);
    yield client.init_async (Priority.DEFAULT, null);
    var key = yield client.generate_key_async ("example-cancelled",
                                               new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));

    // Cancellation: the call ends at once with IOError.CANCELLED.
    var cancellable = new Cancellable ();
    cancellable.cancel ();
    try {
        yield key.sign_hash_async (null, new Bytes (new uint8[32]), cancellable);
        throw new IOError.FAILED ("the call was not cancelled");
    } catch (IOError.CANCELLED e) {
        print ("cancelled: %s\n", e.message);
    }
}

// Task: Matching errors
async void match_errors (Parsec.Client client) throws Error {
    try {
        yield client.lookup_key_async ("no-such-key");
        throw new IOError.FAILED ("no-such-key exists");
    } catch (Parsec.Error.PSA_DOES_NOT_EXIST e) {
        print ("no key named no-such-key\n");
    }
}

// Task: TLS client certificate
// A new key with a self-signed certificate, as a TlsCertificate whose
// private key stays in the service
async TlsCertificate new_key_tls_certificate (Parsec.Client client) throws Error {
    var key = yield client.generate_key_async ("example-tls-client",
                                               new Parsec.KeyAttributes.ecc_signing (256, Parsec.Hash.SHA_256));
    // null: the default subject and validity
    var der = yield key.create_self_signed_certificate_async (null);
    // PEM, as a file for the peer to trust would hold it (DER does too)
    var pem = Parsec.pem_encode (der, "CERTIFICATE");
    return yield key.create_tls_certificate_async (new Bytes (pem.data));
}

// A mutual TLS handshake on loopback with a server whose certificate and
// key are in server_pem: the server requires a client certificate and
// gets the client's.
async void tls_client_certificate (Parsec.Client client, string server_pem) throws Error {
    var server_certificate = new TlsCertificate.from_file (server_pem);
    var client_certificate = yield new_key_tls_certificate (client);

    var listener = new SocketListener ();
    var port = listener.add_any_inet_port (null);
    var connector = new SocketClient ();
    connector.enable_proxy = false;
    // The kernel completes the connection before it is accepted.
    var client_end = yield connector.connect_to_host_async ("127.0.0.1", port);
    var server_end = yield listener.accept_async ();
    listener.close ();

    // Both certificates are self-signed: each side trusts the one it expects.
    var server = (TlsConnection) TlsServerConnection.@new (server_end, server_certificate);
    server.set ("authentication-mode", TlsAuthenticationMode.REQUIRED);
    server.accept_certificate.connect ((peer) => peer.is_same (client_certificate));
    var tls = (TlsConnection) TlsClientConnection.@new (client_end, null);
    tls.certificate = client_certificate;
    tls.accept_certificate.connect ((peer) => peer.is_same (server_certificate));

    // Both handshakes at once; with TLS 1.3 the client finishes first:
    // the server has the verdict.
    Error? server_error = null;
    var server_done = false;
    SourceFunc? resume = null;
    server.handshake_async.begin (Priority.DEFAULT, null, (obj, res) => {
        try {
            server.handshake_async.end (res);
        } catch (Error e) {
            server_error = e;
        }
        server_done = true;
        if (resume != null)
            resume ();
    });
    yield tls.handshake_async (Priority.DEFAULT, null);
    if (!server_done) {
        resume = tls_client_certificate.callback;
        yield;
    }
    if (server_error != null)
        throw server_error;
    print ("the server accepted the client's certificate\n");
}

// End of the tasks

// The keys of this program, made by the tasks above
async void delete_keys (Parsec.Client client) throws Error {
    foreach (var key in yield client.list_keys_async ())
        yield key.destroy_async ();
}

async int main (string[] args) {
    if (args.length != 3) {
        printerr ("usage: %s FILE SERVER-PEM\n", args[0]);
        return 2;
    }
    try {
        var client = (Parsec.Client) Object.@new (typeof (Parsec.Client),
                                                  "application-name", "org.example.BasicTasks");
        yield client.init_async (Priority.DEFAULT, null);
        yield sign_and_verify_file (client, args[1]);
        yield encrypt_and_decrypt (client);
        yield list_keys (client);
        yield cancel_and_time_out ();
        yield match_errors (client);
        yield tls_client_certificate (client, args[2]);
        yield delete_keys (client);
    } catch (Error e) {
        printerr ("basic-tasks: %s\n", e.message);
        return 1;
    }
    return 0;
}
