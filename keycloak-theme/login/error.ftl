<#import "template.ftl" as layout>
<#import "woundwo.ftl" as ww>
<#-- Keycloak's "deny access" step (the realm's browser flow) says accessEnded to a person without a B2B role. -->
<#assign accessEnded = message?? && message.summary == msg("accessEnded")>
<@layout.registrationLayout displayMessage=false; section>
    <#if section = "header">
        <#if accessEnded>${msg("wwAccessEndedTitle")}<#else>${msg("errorTitle")}</#if>
    <#elseif section = "form">
        <div id="kc-error-message">
            <div class="ww-alert ww-alert--error">
                <p class="ww-alert__text">${kcSanitize(message.summary)?no_esc}</p>
            </div>
            <#if accessEnded>
                <#assign help = ww.bridgePage("/help")>
                <p class="instruction" id="ww-access-ended">${msg("wwAccessEndedNext")}</p>
                <#if help?has_content><p><a class="ww-btn ww-btn--primary ww-btn--block" href="${help}">${msg("wwAccessEndedHelp")}</a></p></#if>
            <#else>
                <p class="instruction">${msg("wwErrorNext")}</p>
            </#if>
            <#if traceId??>
                <p class="ww-hint" id="traceId">${msg("traceIdSupportMessage", traceId)}</p>
            </#if>
            <#if !accessEnded && !skipLink?? && client?? && client.baseUrl?has_content>
                <p><a class="ww-btn ww-btn--primary ww-btn--block" id="backToApplication" href="${client.baseUrl}">${msg("backToApplication")}</a></p>
            </#if>
        </div>
    </#if>
</@layout.registrationLayout>
