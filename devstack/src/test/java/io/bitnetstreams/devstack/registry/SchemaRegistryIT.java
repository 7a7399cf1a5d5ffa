package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.bitnetstreams.devstack.junit.WithSchemaRegistry;
import org.junit.jupiter.api.Test;

/** One in-memory registry for the whole class, handed in by {@link WithSchemaRegistry}. */
@WithSchemaRegistry
class SchemaRegistryIT {

    static final String PROMPT_V1 = """
            {"type":"record","name":"Prompt","namespace":"io.bitnetstreams.it","fields":[
              {"name":"id","type":"string"},
              {"name":"text","type":"string"}]}""";
    /** Adds a field with a default: readers of v2 can still read v1 data, so BACKWARD allows it. */
    static final String PROMPT_V2_COMPATIBLE = """
            {"type":"record","name":"Prompt","namespace":"io.bitnetstreams.it","fields":[
              {"name":"id","type":"string"},
              {"name":"text","type":"string"},
              {"name":"priority","type":"int","default":0}]}""";
    /** Adds a field without a default: v2 readers cannot read v1 data, so BACKWARD rejects it. */
    static final String PROMPT_V2_INCOMPATIBLE = """
            {"type":"record","name":"Prompt","namespace":"io.bitnetstreams.it","fields":[
              {"name":"id","type":"string"},
              {"name":"text","type":"string"},
              {"name":"tenant","type":"string"}]}""";

    SchemaRegistryProcess injectedIntoField;

    @Test
    void registeredSchemaIsReadBackById(SchemaRegistryProcess registry) throws Exception {
        RegistryHttp.Reply registered = RegistryHttp.register(registry.url(), "prompts-value", PROMPT_V1);
        assertThat(registered.status()).isEqualTo(200);
        int id = registered.body().get("id").asInt();

        RegistryHttp.Reply byId = RegistryHttp.get(registry.url(), "/schemas/ids/" + id);
        assertThat(byId.status()).isEqualTo(200);
        assertThat(RegistryHttp.parse(byId.body().get("schema").asText()))
                .isEqualTo(RegistryHttp.parse(PROMPT_V1));

        RegistryHttp.Reply subjects = RegistryHttp.get(registry.url(), "/subjects");
        assertThat(subjects.body().toString()).contains("prompts-value");
    }

    @Test
    void backwardCompatibilityIsEnforced(SchemaRegistryProcess registry) throws Exception {
        assertThat(RegistryHttp.register(registry.url(), "evolving-value", PROMPT_V1).status()).isEqualTo(200);

        RegistryHttp.Reply incompatible = RegistryHttp.register(registry.url(), "evolving-value", PROMPT_V2_INCOMPATIBLE);
        assertThat(incompatible.status()).isEqualTo(409);

        RegistryHttp.Reply compatible = RegistryHttp.register(registry.url(), "evolving-value", PROMPT_V2_COMPATIBLE);
        assertThat(compatible.status()).isEqualTo(200);
        assertThat(RegistryHttp.get(registry.url(), "/subjects/evolving-value/versions").body().size()).isEqualTo(2);
    }

    @Test
    void registryRunsOnLoopbackWithTheCcompatUrlAndIsInjectedIntoFields(SchemaRegistryProcess registry) {
        assertThat(injectedIntoField).isSameAs(registry);
        assertThat(registry.url()).isEqualTo("http://127.0.0.1:" + registry.port() + "/apis/ccompat/v7");
        assertThat(registry.isRunning()).isTrue();
        assertThat(ProcessHandle.current().children().map(ProcessHandle::pid)).contains(registry.pid());
    }
}
