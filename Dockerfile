# ossl-tickets in a container, on the OpenSSL 3 of a Debian base image.
#   docker build -t ossl-tickets .                           # runtime image: serve on 0.0.0.0:8443
#   docker build --target test -t ossl-tickets-test .        # build stage: docker run --rm ossl-tickets-test
#   docker run --rm -p 127.0.0.1:8443:8443 ossl-tickets
# With a registry and Maven Central, that is all. Without (our machines), scripts/docker-images makes
# local base images and passes BASE=ossl-base:SUITE and MAVEN_FLAGS=-o, with docker/m2 resolved on the host.
ARG BASE=debian:bookworm

# The build and test stage: JDK, Maven, a C compiler and OpenSSL's headers, then the project, built;
# libapr1 for the Netty example on the dynamically linked netty-tcnative (AdaptersContainerIT).
FROM ${BASE} AS test
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      default-jdk-headless maven gcc make libc6-dev pkg-config libssl-dev openssl ca-certificates \
      libapr1 \
 && rm -rf /var/lib/apt/lists/*
ARG MAVEN_FLAGS=
# Empty in the repository; scripts/docker-images fills it so the build runs offline.
COPY docker/m2/ /root/.m2/repository/
WORKDIR /ossl-tickets
# The jar's Java 22 classes (the Tomcat adapter, META-INF/versions/22) need a JDK 22+. A suite whose JDK
# is older (bookworm 17, trixie 21) builds and tests without them, knowingly: -DwithoutJava22, for every
# mvn run in the image; its jar's manifest says "Ossl-Tickets-Java22: omitted".
RUN feature="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" \
 && if [ "$feature" -lt 22 ]; then mkdir -p .mvn && echo "-DwithoutJava22" >.mvn/maven.config; fi
COPY pom.xml README.md ./
COPY native native
COPY scripts scripts
COPY src src
RUN mvn -B -q ${MAVEN_FLAGS} -DskipTests -Dmaven.javadoc.skip -Dmaven.source.skip package \
 && make -s -C native
ENV MAVEN_FLAGS=${MAVEN_FLAGS}
CMD ["sh", "-c", "mvn -B $MAVEN_FLAGS test"]

# The runtime: a JRE, the distribution's libssl (through the openssl package) and the jar.
FROM ${BASE} AS runtime
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless openssl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/ossl-tickets --create-home ossl-tickets
COPY --from=test /ossl-tickets/target/ossl-tickets.jar /opt/ossl-tickets/ossl-tickets.jar
COPY --from=test /ossl-tickets/target/lib/ /opt/ossl-tickets/lib/
USER ossl-tickets
EXPOSE 8443
# Healthy once the server completes a TLS handshake.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s \
  CMD openssl s_client -connect 127.0.0.1:8443 -brief </dev/null >/dev/null 2>&1 || exit 1
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/ossl-tickets/ossl-tickets.jar", "serve", "--bind", "0.0.0.0"]
