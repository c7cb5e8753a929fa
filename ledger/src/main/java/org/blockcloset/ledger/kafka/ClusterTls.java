package org.blockcloset.ledger.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.operator.ContentSigner;

/**
 * The TLS identity of a cluster's node-to-node traffic (ADR 0002, ADR 0015): one P-256 key and a
 * self-signed certificate that every node of a cluster derives from a secret, itself derived from
 * the cluster secret (the log's password for both of the log's listeners; another derived secret for
 * the cluster port's block API). Nothing to store, nothing to hand out at join: a node that holds the cluster
 * secret has the identity, and it trusts exactly that certificate (hostnames are not checked; the
 * pinned key is the check). The key is HMAC-SHA-256 of the password, and the certificate is signed
 * with deterministic ECDSA (RFC 6979), so every node derives the same bytes.
 *
 * <p>Both of the log's listeners speak SASL_SSL (the controller's PLAIN password travels inside
 * TLS), and a client talks only to a listener that holds the cluster's key; the cluster port's
 * block API and joins use {@link #sslContext} with another derived secret.
 */
public final class ClusterTls {
    private static final String CURVE = "secp256r1";
    private static final X500Name NAME = new X500Name("CN=Block Closet cluster log");
    private static final Date NOT_BEFORE = new Date(946_684_800_000L); // 2000-01-01
    private static final Date NOT_AFTER = new Date(253_402_300_799_000L); // 9999-12-31T23:59:59Z

    /** PKCS#8 private key and X.509 certificate, both PEM. */
    record Identity(String privateKeyPem, String certificatePem) {
    }

    private static final java.util.concurrent.ConcurrentMap<String, Identity> DERIVED = new java.util.concurrent.ConcurrentHashMap<>();

    private ClusterTls() {
    }

    /** {@link #derive}, once per secret in this process (every Kafka client of the node asks for it). */
    static Identity identity(String secret) {
        return DERIVED.computeIfAbsent(secret, ClusterTls::derive);
    }

    /**
     * A TLS context holding the identity derived from {@code secret} and trusting that one
     * certificate only, on both ends: a server shows the key, and a client talks only to a peer that
     * shows it (the hostname is not checked; the pinned certificate is the check).
     */
    public static javax.net.ssl.SSLContext sslContext(String secret) {
        Identity id = identity(secret);
        try {
            java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory
                    .getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(id.certificatePem().getBytes(StandardCharsets.US_ASCII)));
            java.security.PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                    Base64.getMimeDecoder().decode(id.privateKeyPem().replaceAll("-----[A-Z ]+-----", ""))));
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("cluster", key, none, new java.security.cert.Certificate[] {cert});
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new PinnedTrust(cert)}, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the cluster's TLS context", e);
        }
    }

    /** Trusts exactly one certificate, as the whole chain's first entry, whoever shows it. */
    private static final class PinnedTrust extends javax.net.ssl.X509ExtendedTrustManager {
        private final java.security.cert.X509Certificate pinned;

        PinnedTrust(java.security.cert.X509Certificate pinned) {
            this.pinned = pinned;
        }

        private void check(java.security.cert.X509Certificate[] chain) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0 || !pinned.equals(chain[0])) {
                throw new java.security.cert.CertificateException("not this cluster's certificate");
            }
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            check(chain);
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[] {pinned};
        }
    }

    static Identity derive(String password) {
        X9ECParameters x9 = CustomNamedCurves.getByName(CURVE);
        ECDomainParameters domain = new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH());
        BigInteger n = x9.getN();
        // 512 bits reduced modulo n - 1, plus one: uniform enough over [1, n - 1].
        byte[] wide = concat(hmac(password, "blockcloset controller tls key v1 a"), hmac(password, "blockcloset controller tls key v1 b"));
        BigInteger d = new BigInteger(1, wide).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        ECPoint q = x9.getG().multiply(d).normalize();
        try {
            java.security.AlgorithmParameters params = java.security.AlgorithmParameters.getInstance("EC");
            params.init(new java.security.spec.ECGenParameterSpec(CURVE));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            KeyFactory kf = KeyFactory.getInstance("EC");
            ECPrivateKey privateKey = (ECPrivateKey) kf.generatePrivate(new ECPrivateKeySpec(d, spec));
            java.security.PublicKey publicKey = kf.generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), spec));
            X509CertificateHolder cert = new JcaX509v3CertificateBuilder(NAME, BigInteger.ONE, NOT_BEFORE, NOT_AFTER, NAME,
                    publicKey).build(new DeterministicSigner(new ECPrivateKeyParameters(d, domain)));
            return new Identity(pem("PRIVATE KEY", privateKey.getEncoded()), pem("CERTIFICATE", cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the cluster's TLS key", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The listener-side settings (under the listener's prefix): the key, its certificate, and the one certificate trusted. */
    static Map<String, String> listenerProperties(String prefix, String password) {
        Identity id = identity(password);
        Map<String, String> p = new HashMap<>();
        p.put(prefix + SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
        p.put(prefix + SslConfigs.SSL_KEYSTORE_KEY_CONFIG, id.privateKeyPem());
        p.put(prefix + SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, id.certificatePem());
        p.put(prefix + SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        p.put(prefix + SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, id.certificatePem());
        p.put(prefix + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
        return p;
    }

    /** A client of either listener: SASL_SSL, trusting the cluster's certificate only. */
    static Map<String, Object> clientProperties(String password) {
        Map<String, Object> c = new HashMap<>();
        c.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        c.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
        c.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, identity(password).certificatePem());
        c.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
        return c;
    }

    private static byte[] hmac(String key, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** ECDSA with SHA-256 and RFC 6979 nonces: the same key and bytes always give the same signature. */
    private static final class DeterministicSigner implements ContentSigner {
        private final ECPrivateKeyParameters key;
        private final ByteArrayOutputStream tbs = new ByteArrayOutputStream();

        DeterministicSigner(ECPrivateKeyParameters key) {
            this.key = key;
        }

        @Override
        public AlgorithmIdentifier getAlgorithmIdentifier() {
            return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
        }

        @Override
        public OutputStream getOutputStream() {
            return tbs;
        }

        @Override
        public byte[] getSignature() {
            DSADigestSigner signer = new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new SHA256Digest());
            signer.init(true, key);
            byte[] data = tbs.toByteArray();
            signer.update(data, 0, data.length);
            return signer.generateSignature();
        }
    }
}
