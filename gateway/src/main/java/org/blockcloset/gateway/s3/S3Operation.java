package org.blockcloset.gateway.s3;

/** The S3 operations this gateway serves, named as in the AWS API reference. */
public enum S3Operation {
    LIST_BUCKETS,
    CREATE_BUCKET,
    HEAD_BUCKET,
    DELETE_BUCKET,
    GET_BUCKET_LOCATION,
    GET_BUCKET_VERSIONING,
    LIST_OBJECTS,
    LIST_OBJECTS_V2,
    DELETE_OBJECTS,
    PUT_OBJECT,
    COPY_OBJECT,
    GET_OBJECT,
    HEAD_OBJECT,
    DELETE_OBJECT,
    CREATE_MULTIPART_UPLOAD,
    UPLOAD_PART,
    UPLOAD_PART_COPY,
    COMPLETE_MULTIPART_UPLOAD,
    ABORT_MULTIPART_UPLOAD,
    LIST_PARTS,
    LIST_MULTIPART_UPLOADS;

    /** Operations whose request body carries object bytes (and may be aws-chunked). */
    public boolean carriesObjectBytes() {
        return this == PUT_OBJECT || this == UPLOAD_PART;
    }
}
