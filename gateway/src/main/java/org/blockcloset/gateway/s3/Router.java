package org.blockcloset.gateway.s3;

import org.blockcloset.gateway.error.S3Exception;
import org.blockcloset.gateway.error.S3Error;
import java.util.Map;
import java.util.Set;

/** Turns method + bucket/key + sub-resources into the S3 operation. */
final class Router {
    /** Bucket sub-resources real clients probe but this store does not serve yet. */
    private static final Set<String> UNSUPPORTED_BUCKET_RESOURCES = Set.of(
            "encryption", "replication", "website", "logging", "notification",
            "accelerate", "requestPayment", "analytics",
            "inventory", "metrics", "intelligent-tiering");
    private static final Set<String> UNSUPPORTED_OBJECT_RESOURCES = Set.of("torrent", "restore", "select");

    private Router() {
    }

    /** A sub-resource read with GET, set with PUT, removed with DELETE. */
    private static S3Operation byMethod(String method, S3Operation get, S3Operation put, S3Operation delete) {
        S3Operation op = switch (method) {
            case "GET" -> get;
            case "PUT" -> put;
            case "DELETE" -> delete;
            default -> null;
        };
        return op != null ? op : methodNotAllowed();
    }

    private static S3Operation methodNotAllowed() {
        throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
    }

    static S3Operation route(String method, String bucket, String key, Map<String, String> q, boolean copySource) {
        if (bucket == null) {
            if (method.equals("GET")) {
                return S3Operation.LIST_BUCKETS;
            }
            throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
        }
        if (key == null) {
            for (String r : UNSUPPORTED_BUCKET_RESOURCES) {
                if (q.containsKey(r)) {
                    throw new S3Exception(S3Error.NOT_IMPLEMENTED, "The bucket sub-resource '" + r + "' is not implemented.");
                }
            }
            if (q.containsKey("acl")) {
                return byMethod(method, S3Operation.GET_BUCKET_ACL, S3Operation.PUT_BUCKET_ACL, null);
            }
            if (q.containsKey("lifecycle")) {
                return byMethod(method, S3Operation.GET_BUCKET_LIFECYCLE, S3Operation.PUT_BUCKET_LIFECYCLE,
                        S3Operation.DELETE_BUCKET_LIFECYCLE);
            }
            if (q.containsKey("publicAccessBlock")) {
                return byMethod(method, S3Operation.GET_PUBLIC_ACCESS_BLOCK, S3Operation.PUT_PUBLIC_ACCESS_BLOCK,
                        S3Operation.DELETE_PUBLIC_ACCESS_BLOCK);
            }
            if (q.containsKey("ownershipControls")) {
                return byMethod(method, S3Operation.GET_BUCKET_OWNERSHIP_CONTROLS, S3Operation.PUT_BUCKET_OWNERSHIP_CONTROLS,
                        S3Operation.DELETE_BUCKET_OWNERSHIP_CONTROLS);
            }
            if (q.containsKey("policyStatus")) {
                return byMethod(method, S3Operation.GET_BUCKET_POLICY_STATUS, null, null);
            }
            if (q.containsKey("policy")) {
                return byMethod(method, S3Operation.GET_BUCKET_POLICY, S3Operation.PUT_BUCKET_POLICY, S3Operation.DELETE_BUCKET_POLICY);
            }
            if (q.containsKey("cors")) {
                return byMethod(method, S3Operation.GET_BUCKET_CORS, S3Operation.PUT_BUCKET_CORS, S3Operation.DELETE_BUCKET_CORS);
            }
            if (method.equals("OPTIONS")) {
                return S3Operation.PREFLIGHT;
            }
            if (q.containsKey("object-lock")) {
                return byMethod(method, S3Operation.GET_OBJECT_LOCK_CONFIGURATION, S3Operation.PUT_OBJECT_LOCK_CONFIGURATION, null);
            }
            if (q.containsKey("versioning") && !method.equals("HEAD")) {
                return byMethod(method, S3Operation.GET_BUCKET_VERSIONING, S3Operation.PUT_BUCKET_VERSIONING, null);
            }
            if (q.containsKey("versions") && method.equals("GET")) {
                return S3Operation.LIST_OBJECT_VERSIONS;
            }
            if (q.containsKey("tagging")) {
                return byMethod(method, S3Operation.GET_BUCKET_TAGGING, S3Operation.PUT_BUCKET_TAGGING,
                        S3Operation.DELETE_BUCKET_TAGGING);
            }
            switch (method) {
                case "PUT":
                    return S3Operation.CREATE_BUCKET;
                case "HEAD":
                    return S3Operation.HEAD_BUCKET;
                case "DELETE":
                    return S3Operation.DELETE_BUCKET;
                case "POST":
                    if (q.containsKey("delete")) {
                        return S3Operation.DELETE_OBJECTS;
                    }
                    if (q.isEmpty()) {
                        return S3Operation.POST_OBJECT;
                    }
                    throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
                case "GET":
                    if (q.containsKey("location")) {
                        return S3Operation.GET_BUCKET_LOCATION;
                    }
                    if (q.containsKey("uploads")) {
                        return S3Operation.LIST_MULTIPART_UPLOADS;
                    }
                    return "2".equals(q.get("list-type")) ? S3Operation.LIST_OBJECTS_V2 : S3Operation.LIST_OBJECTS;
                default:
                    throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
            }
        }
        for (String r : UNSUPPORTED_OBJECT_RESOURCES) {
            if (q.containsKey(r)) {
                throw new S3Exception(S3Error.NOT_IMPLEMENTED, "The object sub-resource '" + r + "' is not implemented.");
            }
        }
        if (method.equals("OPTIONS")) {
            return S3Operation.PREFLIGHT;
        }
        if (q.containsKey("acl")) {
            return byMethod(method, S3Operation.GET_OBJECT_ACL, S3Operation.PUT_OBJECT_ACL, null);
        }
        if (q.containsKey("retention")) {
            return byMethod(method, S3Operation.GET_OBJECT_RETENTION, S3Operation.PUT_OBJECT_RETENTION, null);
        }
        if (q.containsKey("legal-hold")) {
            return byMethod(method, S3Operation.GET_OBJECT_LEGAL_HOLD, S3Operation.PUT_OBJECT_LEGAL_HOLD, null);
        }
        if (q.containsKey("tagging")) {
            return byMethod(method, S3Operation.GET_OBJECT_TAGGING, S3Operation.PUT_OBJECT_TAGGING, S3Operation.DELETE_OBJECT_TAGGING);
        }
        switch (method) {
            case "PUT":
                if (q.containsKey("uploadId") && q.containsKey("partNumber")) {
                    return copySource ? S3Operation.UPLOAD_PART_COPY : S3Operation.UPLOAD_PART;
                }
                return copySource ? S3Operation.COPY_OBJECT : S3Operation.PUT_OBJECT;
            case "GET":
                if (q.containsKey("attributes")) {
                    return S3Operation.GET_OBJECT_ATTRIBUTES;
                }
                return q.containsKey("uploadId") ? S3Operation.LIST_PARTS : S3Operation.GET_OBJECT;
            case "HEAD":
                return S3Operation.HEAD_OBJECT;
            case "DELETE":
                return q.containsKey("uploadId") ? S3Operation.ABORT_MULTIPART_UPLOAD : S3Operation.DELETE_OBJECT;
            case "POST":
                if (q.containsKey("uploads")) {
                    return S3Operation.CREATE_MULTIPART_UPLOAD;
                }
                if (q.containsKey("uploadId")) {
                    return S3Operation.COMPLETE_MULTIPART_UPLOAD;
                }
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
            default:
                throw new S3Exception(S3Error.METHOD_NOT_ALLOWED);
        }
    }
}
